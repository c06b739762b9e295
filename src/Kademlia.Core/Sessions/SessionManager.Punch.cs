namespace Kademlia.Sessions;

/// <content>
/// Hole punching: an initiation re-sent at once (not after <see cref="SessionTimers.RekeyTimeout"/>) to the
/// endpoint a rendezvous observed, and (with AbandonInitiation) an initiation given up so that the other side's can be answered.
/// </content>
internal sealed partial class SessionManager
{
    /// <summary>
    /// Sends our pending IK initiation to <paramref name="peer"/> again now, with a fresh ephemeral and
    /// timestamp (as a timer retry), to <paramref name="endPoint"/>, which becomes the peer's endpoint.
    /// </summary>
    /// <returns>The packet's length in <paramref name="destination"/>, or 0 when no IK initiation of ours is pending.</returns>
    public int RetryInitiationNow(DateTimeOffset now, PeerKey peer, System.Net.EndPoint endPoint, Span<byte> destination)
    {
        if (!_peers.TryGetValue(peer, out var state) || state.Pending is not { Kind: Internal.PendingKind.IkInitiator } pending)
        {
            return 0;
        }

        state.EndPoint = endPoint;
        var length = StartIk(now, state, pending.Request, pending.ExpectedAnswerSize, pending.Started, destination);
        return Math.Max(0, length);
    }

    /// <summary>
    /// Makes <paramref name="endPoint"/> where sessions with <paramref name="peer"/> send (a kept path falling
    /// back to a relay after its direct endpoint went dead); the peer's next authenticated packet may move it again.
    /// </summary>
    /// <returns>False for a stranger.</returns>
    public bool MoveTo(PeerKey peer, System.Net.EndPoint endPoint)
    {
        if (!_peers.TryGetValue(peer, out var state))
        {
            return false;
        }

        state.EndPoint = endPoint;
        return true;
    }

    /// <summary>Where sessions with <paramref name="peer"/> send now (the latest authenticated source), or null for a stranger.</summary>
    public System.Net.EndPoint? EndPointOf(PeerKey peer) => _peers.TryGetValue(peer, out var state) ? state.EndPoint : null;
}
