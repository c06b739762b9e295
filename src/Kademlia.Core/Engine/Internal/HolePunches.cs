using System.Net;
using Kademlia.Routing;
using Kademlia.Sessions;

namespace Kademlia.Engine.Internal;

/// <summary>
/// The hole punches in progress: for each peer, the endpoint a rendezvous observed it at, sent to every
/// <see cref="Interval"/> for <see cref="Window"/>. Both sides punch at once, so that each one's packets open
/// its own NAT for the other's (RFC 5128 §3.3). Only timing and state here; the engine sends.
/// </summary>
/// <remarks>
/// <para>Both sides start an IK handshake. When both initiations arrive, the session layer's tie-break keeps
/// the lower key's; when only the higher key's can arrive (the lower key's NAT maps per destination, say),
/// the lower key would drop it for ever while waiting for an answer to its own. So the lower key
/// <see cref="Punch.Yields"/>: after <see cref="YieldAfter"/> without a session it gives its initiation up,
/// and answers the higher key's next one. Its earlier packets keep its NAT open for them.</para>
/// <para>With a session already up (relayed), punching sends keepalives of that session to the observed
/// endpoint instead; the first one through moves the peer's session there.</para>
/// </remarks>
internal sealed class HolePunches
{
    /// <summary>Between two packets of one punch: a quarter second, a few round trips of a home link.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>How long one punch goes on: ten packets, enough for a first one lost to the other NAT and several more.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(2500);

    /// <summary>When the lower key gives up its own initiation: after four of its packets.</summary>
    public static readonly TimeSpan YieldAfter = TimeSpan.FromSeconds(1);

    /// <summary>Punches going on at once; a new one past it replaces none and is refused.</summary>
    public const int MaxPunches = 32;

    private readonly Dictionary<PeerKey, Punch> _punches = [];

    /// <summary>Punches going on.</summary>
    public int Count => _punches.Count;

    /// <summary>Punches started so far.</summary>
    public long Started { get; private set; }

    /// <summary>Punches that ended with the session at the punched endpoint.</summary>
    public long Succeeded { get; private set; }

    /// <summary>Starts (or restarts) punching towards <paramref name="peer"/> at its observed endpoint.</summary>
    /// <returns>False when too many punches go on.</returns>
    /// <param name="now">The time.</param>
    /// <param name="peer">The peer at the endpoint the rendezvous observed it at.</param>
    /// <param name="yields">Whether we have the lower key (see the remarks).</param>
    /// <param name="overSession">
    /// Whether a session exists already (relayed, or direct at a mapping a rebinding may have killed): the punch
    /// then sends that session's keepalives for its whole window, since a session says nothing about whether
    /// the path works.
    /// </param>
    public bool Start(DateTimeOffset now, NodeInfo peer, bool yields, bool overSession)
    {
        var key = new PeerKey(peer.PublicKey.Span);
        if (!_punches.ContainsKey(key) && _punches.Count >= MaxPunches)
        {
            return false;
        }

        _punches[key] = new Punch(peer, key, peer.Endpoint.ToIPEndPoint(), now, yields) { OverSession = overSession };
        Started++;
        return true;
    }

    /// <summary>Whether a punch towards <paramref name="key"/> goes on.</summary>
    public bool IsPunching(PeerKey key) => _punches.ContainsKey(key);

    /// <summary>Ends the punch towards <paramref name="key"/>; <paramref name="succeeded"/> counts it.</summary>
    public bool End(PeerKey key, bool succeeded)
    {
        if (_punches.Remove(key) && succeeded)
        {
            Succeeded++;
            return true;
        }

        return false;
    }

    /// <summary>The punches with something due at <paramref name="now"/>.</summary>
    public List<Punch> Due(DateTimeOffset now) => _punches.Values.Where(p => p.NextSend <= now || p.Until <= now).ToList();

    /// <summary>When a punch next needs a timeout pass, or null.</summary>
    public DateTimeOffset? NextTimeout()
    {
        DateTimeOffset? next = null;
        foreach (var punch in _punches.Values)
        {
            var due = punch.Yielded ? punch.Until : (punch.NextSend < punch.Until ? punch.NextSend : punch.Until);
            next = Deadlines.Earliest(next, due);
        }

        return next;
    }

    /// <summary>One punch: the peer at its observed endpoint, when it started and ends, and whether this side yields.</summary>
    internal sealed class Punch(NodeInfo peer, PeerKey key, IPEndPoint endPoint, DateTimeOffset started, bool yields)
    {
        public NodeInfo Peer { get; } = peer;

        public PeerKey Key { get; } = key;

        public IPEndPoint EndPoint { get; } = endPoint;

        public DateTimeOffset StartedAt { get; } = started;

        public DateTimeOffset Until { get; } = started + Window;

        public DateTimeOffset NextSend { get; set; } = started;

        /// <summary>This side has the lower key: it gives its initiation up after <see cref="YieldAfter"/>.</summary>
        public bool Yields { get; } = yields;

        public bool Yielded { get; set; }

        /// <summary>A session existed when the punch started: keepalives for the whole window.</summary>
        public bool OverSession { get; init; }

        /// <summary>Packets sent so far: only the first opens a handshake, later ones re-send it.</summary>
        public int Sent { get; set; }
    }
}
