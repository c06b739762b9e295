using System.Net;
using System.Text;
using Kademlia.Sessions;

namespace Kademlia.Tests.Sessions;

/// <summary>A deterministic random source for tests: one seed replays a run.</summary>
internal sealed class SeededRandomSource(int seed) : IRandomSource
{
    private readonly Random _random = new(seed);

    public void Fill(Span<byte> destination) => _random.NextBytes(destination);
}

/// <summary>One endpoint in a test: a session manager, its address, and what the engine above it would see.</summary>
internal sealed class SessionTestNode : IDisposable
{
    private readonly byte[] _buffer = new byte[PacketFormat.MaxPacketSize];

    public SessionTestNode(int seed, string address, uint networkId = 7, ulong powNonce = 42, SessionOptions? options = null)
    {
        var seedBytes = new byte[32];
        new Random(seed).NextBytes(seedBytes);
        Identity = SessionIdentity.FromEd25519Seed(seedBytes, powNonce);
        EndPoint = IPEndPoint.Parse(address);
        Manager = new SessionManager(Identity, options ?? new SessionOptions { NetworkId = networkId }, new SeededRandomSource(seed + 1000));
    }

    public SessionIdentity Identity { get; }

    public IPEndPoint EndPoint { get; }

    public SessionManager Manager { get; }

    public PeerKey Key => Identity.Key;

    /// <summary>Answers every first request automatically, as an engine would.</summary>
    public bool AutoRespond { get; set; } = true;

    /// <summary>Answers transport requests too (an engine answers everything it is asked).</summary>
    public bool AnswerData { get; set; }

    public List<(DatagramOutcome Outcome, PeerIdentity Peer, string Text)> Delivered { get; } = [];

    public List<SessionDropReason> Drops { get; } = [];

    public static string AnswerTo(string request) => "answer:" + request;

    /// <summary>Handles a datagram and returns the packets to send back (reply, answer, outbox).</summary>
    public List<(EndPoint To, byte[] Packet)> Receive(DateTimeOffset now, EndPoint from, byte[] datagram)
    {
        var output = new List<(EndPoint, byte[])>();
        var result = Manager.HandleDatagram(now, from, datagram, _buffer);
        switch (result.Outcome)
        {
            case DatagramOutcome.Dropped:
                Drops.Add(result.DropReason);
                break;
            case DatagramOutcome.Reply:
                output.Add((result.EndPoint!, _buffer[..result.Length]));
                break;
            case DatagramOutcome.FirstRequest:
                var request = Encoding.UTF8.GetString(_buffer, 0, result.Length);
                Delivered.Add((result.Outcome, result.Peer, request));
                if (AutoRespond)
                {
                    var answer = Encoding.UTF8.GetBytes(AnswerTo(request));
                    var sealedAnswer = Manager.Respond(now, result.Handshake, answer, _buffer);
                    Assert.Equal(SealStatus.Sealed, sealedAnswer.Status);
                    output.Add((sealedAnswer.EndPoint!, _buffer[..sealedAnswer.Length]));
                }

                break;
            case DatagramOutcome.FirstAnswer:
            case DatagramOutcome.Data:
                var text = Encoding.UTF8.GetString(_buffer, 0, result.Length);
                Delivered.Add((result.Outcome, result.Peer, text));
                if (AnswerData && result.Outcome == DatagramOutcome.Data && !text.StartsWith("answer:", StringComparison.Ordinal))
                {
                    var reply = Manager.SealTo(now, result.Peer.Key, Encoding.UTF8.GetBytes(AnswerTo(text)), _buffer);
                    Assert.Equal(SealStatus.Sealed, reply.Status);
                    output.Add((reply.EndPoint!, _buffer[..reply.Length]));
                }

                break;
        }

        output.AddRange(Drain());
        return output;
    }

    public List<(EndPoint To, byte[] Packet)> Drain()
    {
        var output = new List<(EndPoint, byte[])>();
        while (Manager.TryPollTransmit(out var transmit))
        {
            output.Add((transmit.EndPoint, transmit.Packet));
        }

        return output;
    }

    public byte[] InitiateIk(DateTimeOffset now, SessionTestNode responder, string request)
    {
        var result = Manager.InitiateIk(now, responder.Key, responder.EndPoint, Encoding.UTF8.GetBytes(request), _buffer);
        Assert.Equal(SealStatus.Sealed, result.Status);
        return _buffer[..result.Length];
    }

    public byte[] InitiateXx(DateTimeOffset now, SessionTestNode responder, string request)
    {
        var result = Manager.InitiateXx(now, responder.EndPoint, Encoding.UTF8.GetBytes(request), _buffer);
        Assert.Equal(SealStatus.Sealed, result.Status);
        return _buffer[..result.Length];
    }

    public SealResult TrySeal(DateTimeOffset now, SessionTestNode peer, string text, out byte[] packet)
    {
        var result = Manager.SealTo(now, peer.Key, Encoding.UTF8.GetBytes(text), _buffer);
        packet = _buffer[..result.Length];
        return result;
    }

    public byte[] Seal(DateTimeOffset now, SessionTestNode peer, string text)
    {
        var result = TrySeal(now, peer, text, out var packet);
        Assert.Equal(SealStatus.Sealed, result.Status);
        return packet;
    }

    public void Dispose()
    {
        Manager.Dispose();
        Identity.Dispose();
    }
}

/// <summary>
/// Two nodes joined by an in-memory link in virtual time. Packets are queued; the test decides which to
/// deliver, drop, duplicate or reorder.
/// </summary>
internal sealed class SessionPair : IDisposable
{
    public SessionPair(int seed = 1, SessionOptions? optionsA = null, SessionOptions? optionsB = null)
    {
        A = new SessionTestNode(seed * 2, "10.0.0.1:4000", options: optionsA);
        B = new SessionTestNode((seed * 2) + 1, "10.0.0.2:4000", options: optionsB);
    }

    public static DateTimeOffset Start { get; } = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public DateTimeOffset Now { get; set; } = Start;

    public SessionTestNode A { get; }

    public SessionTestNode B { get; }

    /// <summary>Packets in flight: destination node, source address, bytes.</summary>
    public List<(SessionTestNode To, EndPoint From, byte[] Packet)> InFlight { get; } = [];

    public SessionTestNode Other(SessionTestNode node) => node == A ? B : A;

    public SessionTestNode ByAddress(EndPoint address) => address.Equals(A.EndPoint) ? A : B;

    public void Send(SessionTestNode from, byte[] packet) => InFlight.Add((Other(from), from.EndPoint, packet));

    /// <summary>Delivers one in-flight packet; anything it causes goes back in flight.</summary>
    public void Deliver(int index)
    {
        var (to, from, packet) = InFlight[index];
        InFlight.RemoveAt(index);
        foreach (var (destination, reply) in to.Receive(Now, from, packet))
        {
            InFlight.Add((ByAddress(destination), to.EndPoint, reply));
        }
    }

    /// <summary>Delivers everything in order until the link is quiet.</summary>
    public void Flush()
    {
        for (int guard = 0; InFlight.Count > 0 && guard < 1000; guard++)
        {
            Deliver(0);
        }
    }

    public void Tick(TimeSpan step)
    {
        Now += step;
        foreach (var node in new[] { A, B })
        {
            node.Manager.HandleTimeout(Now);
            foreach (var (destination, packet) in node.Drain())
            {
                InFlight.Add((ByAddress(destination), node.EndPoint, packet));
            }
        }
    }

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
    }
}
