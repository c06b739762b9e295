using System.Net;

namespace Kademlia.Sessions;

/// <summary>
/// The typed result of <see cref="SessionManager.HandleDatagram"/>. Plaintext or a reply packet was written to
/// the caller's destination buffer; <see cref="Length"/> bytes of it are valid.
/// </summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Length">Bytes written to the destination.</param>
/// <param name="Peer">The authenticated peer, for delivered data and XX replies; default otherwise.</param>
/// <param name="EndPoint">Where to send a reply, or where delivered data came from.</param>
/// <param name="DropReason">Why the datagram was dropped, when <see cref="Outcome"/> is <see cref="DatagramOutcome.Dropped"/>.</param>
/// <param name="Handshake">The handshake awaiting <see cref="SessionManager.Respond"/> after a <see cref="DatagramOutcome.FirstRequest"/>.</param>
internal readonly record struct DatagramResult(
    DatagramOutcome Outcome,
    int Length,
    PeerIdentity Peer,
    EndPoint? EndPoint,
    SessionDropReason DropReason,
    HandshakeToken Handshake)
{
    /// <summary>
    /// True when this transport packet moved the peer to a new endpoint (roaming, as in WireGuard). The
    /// session's keys never travelled there, so the packet proves only that the peer sent it, not that
    /// the address is the peer's: the engine challenges the new endpoint before large answers go there.
    /// </summary>
    public bool Roamed => RoamedFrom is not null;

    /// <summary>Where the peer was before this packet moved it (see <see cref="Roamed"/>), or null.</summary>
    public EndPoint? RoamedFrom { get; init; }

    /// <summary>A drop with its reason.</summary>
    public static DatagramResult Drop(SessionDropReason reason) => new(DatagramOutcome.Dropped, 0, default, null, reason, default);

    /// <summary>Nothing to do.</summary>
    public static DatagramResult Handled(PeerIdentity peer, EndPoint endPoint) => new(DatagramOutcome.Handled, 0, peer, endPoint, default, default);

    /// <summary>A packet to send.</summary>
    public static DatagramResult Reply(int length, EndPoint endPoint, PeerIdentity peer = default) =>
        new(DatagramOutcome.Reply, length, peer, endPoint, default, default);

    /// <summary>Plaintext for the engine.</summary>
    public static DatagramResult Deliver(DatagramOutcome outcome, int length, PeerIdentity peer, EndPoint endPoint, HandshakeToken handshake = default) =>
        new(outcome, length, peer, endPoint, default, handshake);
}
