using System.Net;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Routing;
using Kademlia.Sessions;
using Kademlia.Wire;

namespace Kademlia.Tests.Engine;

/// <summary>
/// A hand-driven peer for engine tests: real sessions, but every message is chosen by the test, so
/// it can lie, forge and misbehave in ways an honest engine never would.
/// </summary>
internal sealed class RawPeer : IDisposable
{
    private readonly byte[] _buffer = new byte[PacketFormat.MaxPacketSize];
    private readonly SessionIdentity _session;

    public RawPeer(NodeIdentity identity, uint networkId, int port)
    {
        Identity = identity;
        var blob = identity.Export();
        _session = SessionIdentity.FromEd25519Seed(blob.AsSpan(1, 32), identity.PowNonce);
        Manager = new SessionManager(_session, new SessionOptions { NetworkId = networkId });
        EndPoint = new IPEndPoint(IPAddress.Loopback, port);
    }

    public NodeIdentity Identity { get; }

    public SessionManager Manager { get; }

    public IPEndPoint EndPoint { get; }

    /// <summary>Whether the last request received from the engine carried the CLIENT flag.</summary>
    public bool LastRequestWasFromClient { get; private set; }

    public NodeInfo Info => NodeInfo.Of(Identity, NodeEndpoint.FromIPEndPoint(EndPoint));

    /// <summary>Sends <paramref name="request"/> to the engine (IK first contact or over the session) and returns the engine's answer.</summary>
    public Message? Ask(KademliaEngine engine, IPEndPoint engineEndPoint, DateTimeOffset now, Message request)
    {
        Send(engine, engineEndPoint, now, request);
        return Collect(engine, engineEndPoint, now).OfType<Message>().LastOrDefault(m => m.RequestId == request.RequestId);
    }

    /// <summary>Sends <paramref name="request"/> to the engine and leaves what it emits in its transmit queue.</summary>
    public void Send(KademliaEngine engine, IPEndPoint engineEndPoint, DateTimeOffset now, Message request)
    {
        var plaintext = MessageCodec.Encode(request);
        var key = new PeerKey(engine.Identity.PublicKey);
        var sealedRequest = Manager.HasSession(key, now)
            ? Manager.SealTo(now, key, plaintext, _buffer)
            : Manager.InitiateIk(now, key, engineEndPoint, plaintext, _buffer);
        Assert.Equal(SealStatus.Sealed, sealedRequest.Status);
        engine.HandleDatagram(now, EndPoint, _buffer.AsSpan(0, sealedRequest.Length));
    }

    /// <summary>
    /// Becomes a proven peer of the engine: a PING in the IK initiation, then one on the session it
    /// opened (the transport packet proves our address), after which the engine may add us to its table.
    /// </summary>
    public void Join(KademliaEngine engine, IPEndPoint engineEndPoint, DateTimeOffset now, ulong requestId)
    {
        Assert.IsType<PongResponse>(Ask(engine, engineEndPoint, now, new PingRequest(requestId)));
        Assert.IsType<PongResponse>(Ask(engine, engineEndPoint, now, new PingRequest(requestId + 1)));
    }

    /// <summary>Delivers everything the engine sent to us; returns the messages it carried (requests and answers).</summary>
    public List<Message> Collect(KademliaEngine engine, IPEndPoint engineEndPoint, DateTimeOffset now)
    {
        var messages = new List<Message>();
        while (engine.PollTransmit(out var transmit))
        {
            if (Receive(engine, engineEndPoint, now, transmit.Packet) is { } message)
            {
                messages.Add(message);
            }
        }

        return messages;
    }

    /// <summary>Delivers one packet of the engine to us; returns the message it carried, if any.</summary>
    public Message? Receive(KademliaEngine engine, IPEndPoint engineEndPoint, DateTimeOffset now, byte[] packet)
    {
        var result = Manager.HandleDatagram(now, engineEndPoint, packet, _buffer);
        if (result.Outcome is DatagramOutcome.FirstAnswer or DatagramOutcome.Data or DatagramOutcome.FirstRequest && result.Length > 0)
        {
            // A request from an engine running as a client carries the CLIENT flag (bit 6) in its type byte.
            LastRequestWasFromClient = (_buffer[0] & 0x80) == 0 && (_buffer[0] & 0x40) != 0;
            if (LastRequestWasFromClient)
            {
                _buffer[0] &= 0xBF;
            }

            if (MessageCodec.TryRead(_buffer.AsSpan(0, result.Length), out var message) == DecodeError.None)
            {
                return message;
            }
        }

        if (result.Outcome == DatagramOutcome.Reply)
        {
            engine.HandleDatagram(now, EndPoint, _buffer.AsSpan(0, result.Length));
        }

        return null;
    }

    /// <summary>Answers the engine with <paramref name="answer"/> over the session.</summary>
    public void Answer(KademliaEngine engine, DateTimeOffset now, Message answer)
    {
        var key = new PeerKey(engine.Identity.PublicKey);
        var sealedAnswer = Manager.SealTo(now, key, MessageCodec.Encode(answer), _buffer);
        Assert.Equal(SealStatus.Sealed, sealedAnswer.Status);
        engine.HandleDatagram(now, EndPoint, _buffer.AsSpan(0, sealedAnswer.Length));
    }

    public void Dispose()
    {
        Manager.Dispose();
        _session.Dispose();
        Identity.Dispose();
    }
}
