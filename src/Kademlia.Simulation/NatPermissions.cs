namespace Kademlia.Simulation;

/// <summary>
/// The inbound side of a message-level node's NAT: which peers it admits, and until when. Sending to a
/// peer opens (or refreshes) that peer's permission for <see cref="Timeout"/>; a request from a peer
/// without a live permission is dropped. This is address-dependent filtering with outbound refresh only
/// (RFC 4787), the home router the engine's client mode is written for; the full <see cref="Nat"/> of
/// the wire mode also models ports and mappings, which a message-level node does not have.
/// </summary>
internal sealed class NatPermissions(TimeSpan timeout)
{
    private readonly Dictionary<int, DateTimeOffset> _lastSentTo = [];

    /// <summary>How long a permission lives after the last datagram sent to its peer.</summary>
    public TimeSpan Timeout { get; } = timeout;

    /// <summary>Peers with a permission, live or expired (expired ones are forgotten lazily).</summary>
    public int Count => _lastSentTo.Count;

    /// <summary>The node sent a datagram to <paramref name="peer"/> at <paramref name="now"/>.</summary>
    public void Sent(int peer, DateTimeOffset now)
    {
        if (!_lastSentTo.TryGetValue(peer, out var last) || now > last)
        {
            _lastSentTo[peer] = now;
        }
    }

    /// <summary>Whether a datagram from <paramref name="peer"/> arriving at <paramref name="now"/> gets through.</summary>
    public bool Admits(int peer, DateTimeOffset now)
    {
        if (!_lastSentTo.TryGetValue(peer, out var last))
        {
            return false;
        }

        if (now - last < Timeout)
        {
            return true;
        }

        _lastSentTo.Remove(peer);
        return false;
    }
}
