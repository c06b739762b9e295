using System.Net;
using Kademlia.Sessions.Noise;

namespace Kademlia.Sessions.Internal;

/// <summary>The role a pending handshake plays and the message it waits for.</summary>
internal enum PendingKind
{
    /// <summary>We sent an IK initiation and wait for the response.</summary>
    IkInitiator,

    /// <summary>We read an IK initiation, delivered its request and wait for the engine's answer.</summary>
    IkResponder,

    /// <summary>We sent XX message 1 and wait for message 2.</summary>
    XxInitiator,

    /// <summary>We sent XX message 2 and wait for message 3.</summary>
    XxResponder,
}

/// <summary>A handshake in progress, owning its Noise state; indexed by its local index.</summary>
internal sealed class PendingHandshake : IDisposable
{
    public PendingHandshake(PendingKind kind, HandshakeState state, uint localIndex, EndPoint endPoint, DateTimeOffset now)
    {
        Kind = kind;
        State = state;
        LocalIndex = localIndex;
        EndPoint = endPoint;
        Started = now;
        LastSent = now;
    }

    public PendingKind Kind { get; }

    public HandshakeState State { get; }

    public uint LocalIndex { get; }

    public uint RemoteIndex { get; set; }

    public EndPoint EndPoint { get; set; }

    /// <summary>The peer, when known: always for IK, after message 2 for an XX initiator.</summary>
    public PeerState? Peer { get; set; }

    /// <summary>When the first attempt of this exchange started; retries keep it so that they stop after REKEY_ATTEMPT_TIME.</summary>
    public DateTimeOffset Started { get; set; }

    public DateTimeOffset LastSent { get; set; }

    /// <summary>Initiator: the first request, kept for retries. Empty for a rekey.</summary>
    public byte[] Request { get; init; } = [];

    public int ExpectedAnswerSize { get; init; }

    /// <summary>Initiator: the packet as sent, so a cookie reply can be answered by re-sending it with mac2.</summary>
    public byte[]? Packet { get; set; }

    /// <summary>Initiator: whether a cookie reply was already used for <see cref="Packet"/> (one per packet, as in WireGuard).</summary>
    public bool CookieUsed { get; set; }

    /// <summary>IK responder: the size of the initiation, which bounds the answer (3x rule).</summary>
    public int ReceivedSize { get; init; }

    public PeerIdentity RemoteIdentity { get; set; }

    public LinkedListNode<PendingHandshake>? AgeNode { get; set; }

    public void Dispose() => State.Dispose();
}
