using System.Net;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Routing;
using Kademlia.Sessions;
using Kademlia.Wire;

namespace Kademlia.Tests.Engine;

/// <summary>
/// Issue 12 item 6: a flood of handshake messages 1 from many forged sources, each under the per-source
/// limit. docs/PROTOCOL.md, "Cookie reply"; docs/SECURITY.md, "Distributed handshake flood".
/// </summary>
public sealed class DistributedFloodTests : IDisposable
{
    private const int FloodPerSecond = 400; // above the default 250 a second for all sources together
    private const int FloodSeconds = 10;
    private static readonly NetworkParameters Network = NetworkParameters.Test;
    private static readonly IPEndPoint EngineEndPoint = new(IPAddress.Loopback, 4000);
    private static readonly TimeSpan Hold = new EngineOptions().HandshakeLoadHold;
    private readonly DateTimeOffset _start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly NodeIdentity _identity = NodeIdentity.Generate(Network);
    private readonly KademliaEngine _engine;
    private readonly RawPeer _forger = new(NodeIdentity.Generate(Network), Network.NetworkId, 5000);
    private readonly RawPeer _honest = new(NodeIdentity.Generate(Network), Network.NetworkId, 5001);
    private readonly byte[] _buffer = new byte[PacketFormat.MaxPacketSize];

    public DistributedFloodTests() =>
        _engine = new KademliaEngine(_identity, new EngineOptions { Network = Network, AdvertisedEndpoint = NodeEndpoint.FromIPEndPoint(EngineEndPoint) });

    public void Dispose()
    {
        _engine.Dispose();
        _identity.Dispose();
        _forger.Dispose();
        _honest.Dispose();
    }

    /// <summary>Source number <paramref name="i"/> of the flood: one address each, every one in its own /24.</summary>
    internal static IPEndPoint Forged(int i) => new(new IPAddress([10, (byte)(i >> 8), (byte)i, 1]), 7000);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_distributed_flood_turns_cookies_on_while_it_lasts_and_off_after_it_ends_plus_the_hold_time(bool xx)
    {
        var kind = xx ? PacketType.XxMessage1 : PacketType.IkInitiation;
        Assert.Equal(PacketType.IkResponse, HonestAnswer(_start)); // not under load before

        long bytesIn = 0, bytesOut = 0;
        int handshakes = 0, cookies = 0, handshakesAfterFirstSecond = 0;
        int total = FloodPerSecond * FloodSeconds;
        var step = TimeSpan.FromSeconds(1.0 / FloodPerSecond);
        var now = _start;
        for (int i = 0; i < total; i++)
        {
            now = _start + (step * i);
            var from = Forged(i);
            var message = kind == PacketType.XxMessage1
                ? _forger.Manager.InitiateXx(now, EngineEndPoint, [], _buffer)
                : _forger.Manager.InitiateIk(now, new PeerKey(_engine.Identity.PublicKey), EngineEndPoint, MessageCodec.Encode(new PingRequest((ulong)i)), _buffer);
            Assert.Equal(SealStatus.Sealed, message.Status);
            bytesIn += message.Length;
            _engine.HandleDatagram(now, from, _buffer.AsSpan(0, message.Length));
            if (i % 40 == 0)
            {
                _engine.HandleTimeout(now); // timer passes during the flood must not switch cookies off
            }

            while (_engine.PollTransmit(out var transmit))
            {
                if (!transmit.Destination.Equals(from))
                {
                    continue;
                }

                bytesOut += transmit.Packet.Length;
                if ((PacketType)transmit.Packet[1] == PacketType.CookieReply)
                {
                    cookies++;
                }
                else
                {
                    handshakes++;
                    if (i >= FloodPerSecond)
                    {
                        handshakesAfterFirstSecond++;
                    }
                }
            }
        }

        // Cookies come on within the first second and stay on to the end of the flood.
        Assert.Equal(0, handshakesAfterFirstSecond);
        Assert.True(handshakes <= 251, $"{handshakes} handshakes answered");
        Assert.True(cookies >= total - 251, $"{cookies} cookie replies");
        double ratio = (double)bytesOut / bytesIn;
        Assert.True(ratio < 1.5, $"{ratio:F2} bytes out per byte in"); // before: 2.59 (XX), every message answered

        // After the flood: still on until the hold time has passed (timer passes do not clear it)...
        var end = now;
        _engine.HandleTimeout(end + Hold - TimeSpan.FromSeconds(1));
        Assert.Equal(PacketType.CookieReply, HonestAnswer(end + Hold - TimeSpan.FromSeconds(1)));

        // ...and off after it: the engine's timer says when.
        var next = _engine.NextTimeout();
        Assert.NotNull(next);
        Assert.True(next <= end + Hold + TimeSpan.FromSeconds(1));
        _engine.HandleTimeout(end + Hold + TimeSpan.FromSeconds(1));
        Assert.Equal(PacketType.IkResponse, HonestAnswer(end + Hold + TimeSpan.FromSeconds(1)));

        Console.WriteLine($"{kind}: {total} messages 1 from {total} sources, {handshakes} answered, {cookies} cookie replies, {bytesOut}/{bytesIn} bytes = {ratio:F3}");
    }

    [Fact]
    public void The_nodes_own_handshakes_complete_during_a_flood_that_fills_the_responder_table()
    {
        // Five pings of our own start, then 2,000 messages 1 from 2,000 forged sources at the same instant: twice
        // the whole pending table. Before, they pushed our five initiations out and each answer was dropped.
        var peers = Enumerable.Range(0, 5).Select(i => new EnginePeer(new IPEndPoint(IPAddress.Loopback, 4100 + i))).ToList();
        try
        {
            var queries = peers.Select(p => _engine.Ping(_start, p.Info)).ToList();
            var initiations = new List<Transmit>();
            while (_engine.PollTransmit(out var transmit))
            {
                initiations.Add(transmit);
            }

            for (int i = 0; i < 2_000; i++)
            {
                var message = _forger.Manager.InitiateXx(_start, EngineEndPoint, [], _buffer);
                _engine.HandleDatagram(_start, Forged(i), _buffer.AsSpan(0, message.Length));
                while (_engine.PollTransmit(out _))
                {
                }
            }

            var at = _start + TimeSpan.FromMilliseconds(50);
            foreach (var initiation in initiations)
            {
                var peer = peers.Single(p => p.EndPoint.Equals(initiation.Destination));
                peer.Engine.HandleDatagram(at, EngineEndPoint, initiation.Packet);
                while (peer.Engine.PollTransmit(out var answer))
                {
                    if (answer.Destination.Equals(EngineEndPoint))
                    {
                        _engine.HandleDatagram(at, peer.EndPoint, answer.Packet);
                    }
                }
            }

            var finished = new List<QueryFinished>();
            while (_engine.PollEvent(out var e))
            {
                if (e is QueryFinished done && queries.Contains(done.Query))
                {
                    finished.Add(done);
                }
            }

            Assert.Equal(5, finished.Count(f => f.Result is PingResult { Peer: not null }));
        }
        finally
        {
            foreach (var peer in peers)
            {
                peer.Dispose();
            }
        }
    }

    private PacketType HonestAnswer(DateTimeOffset now)
    {
        while (_engine.PollTransmit(out _))
        {
        }

        var initiation = _honest.Manager.InitiateIk(now, new PeerKey(_engine.Identity.PublicKey), EngineEndPoint, MessageCodec.Encode(new PingRequest(1)), _buffer);
        Assert.Equal(SealStatus.Sealed, initiation.Status);
        _engine.HandleDatagram(now, _honest.EndPoint, _buffer.AsSpan(0, initiation.Length));
        Assert.True(_engine.PollTransmit(out var transmit));
        Assert.Equal(_honest.EndPoint, transmit.Destination);
        while (_engine.PollTransmit(out _))
        {
        }

        return (PacketType)transmit.Packet[1];
    }

    private sealed class EnginePeer : IDisposable
    {
        private readonly NodeIdentity _identity = NodeIdentity.Generate(Network);

        public EnginePeer(IPEndPoint endPoint)
        {
            EndPoint = endPoint;
            Engine = new KademliaEngine(_identity, new EngineOptions { Network = Network, AdvertisedEndpoint = NodeEndpoint.FromIPEndPoint(endPoint) });
        }

        public IPEndPoint EndPoint { get; }

        public KademliaEngine Engine { get; }

        public NodeInfo Info => NodeInfo.Of(_identity, NodeEndpoint.FromIPEndPoint(EndPoint));

        public void Dispose()
        {
            Engine.Dispose();
            _identity.Dispose();
        }
    }
}
