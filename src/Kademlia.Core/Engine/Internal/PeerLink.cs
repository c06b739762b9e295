using System.Collections.Immutable;
using Kademlia.Routing;
using Kademlia.Sessions;
using Kademlia.Wire;

namespace Kademlia.Engine.Internal;

/// <summary>
/// One peer an application keeps a path to (<see cref="KademliaEngine.KeepLink"/>): what was last heard from
/// it and sent to it, the path last reported, and the punch retries in progress. State only; the engine acts.
/// </summary>
internal sealed class PeerLink(NodeInfo peer, ImmutableArray<WireContact> rendezvous, DateTimeOffset now, PeerPath path)
{
    /// <summary>The peer, as the application named it.</summary>
    public NodeInfo Peer { get; } = peer;

    /// <summary>The peer's session key.</summary>
    public PeerKey Key { get; } = new(peer.PublicKey.Span);

    /// <summary>The peer's rendezvous points (empty for a reachable peer): where a punch is asked for.</summary>
    public ImmutableArray<WireContact> Rendezvous { get; set; } = rendezvous.IsDefault ? [] : rendezvous;

    /// <summary>Whether the path can be punched again: the peer named rendezvous points.</summary>
    public bool CanPunch => !Rendezvous.IsEmpty;

    /// <summary>The path last reported (by <see cref="PeerPathChanged"/>, or when the link was made).</summary>
    public PeerPath Reported { get; set; } = path;

    /// <summary>When an authenticated packet last came from the peer, by any path.</summary>
    public DateTimeOffset LastHeard { get; set; } = now;

    /// <summary>When an authenticated packet last came from the peer straight, not through a relay.</summary>
    public DateTimeOffset LastHeardDirect { get; set; } = path == PeerPath.Direct ? now : DateTimeOffset.MinValue;

    /// <summary>When we last sent the peer something (a ping, an application message or answer).</summary>
    public DateTimeOffset LastSent { get; set; } = now;

    /// <summary>
    /// The first ping or application message sent since the peer was last heard, while nothing answered it;
    /// null when the peer has been heard since. The path is dead when this gets old.
    /// </summary>
    public DateTimeOffset? UnansweredSince { get; set; }

    /// <summary>When the last ping went out.</summary>
    public DateTimeOffset LastPing { get; set; } = DateTimeOffset.MinValue;

    /// <summary>The punch (a connect with punching again) in progress for this link, if any.</summary>
    public QueryId? Punch { get; set; }

    /// <summary>When the punch in progress started.</summary>
    public DateTimeOffset PunchStarted { get; set; }

    /// <summary>Whether the punch in progress repairs a dead path (rather than trying to leave a working relay).</summary>
    public bool Repairing { get; set; }

    /// <summary>Punches that repaired nothing since the path was last heard working.</summary>
    public int FailedRepairs { get; set; }

    /// <summary>When the next repair may start.</summary>
    public DateTimeOffset NextRepair { get; set; }

    /// <summary>Punches tried to move this relayed path to a direct one.</summary>
    public int UpgradeAttempts { get; set; }

    /// <summary>When the next attempt to move off the relay is due.</summary>
    public DateTimeOffset NextUpgrade { get; set; } = now + PeerLinks.FirstUpgradeDelay;

    /// <summary>Whether the client keepalive round was run early for the current silence (see <see cref="PeerLinks"/>).</summary>
    public bool ToldRendezvous { get; set; }

    /// <summary>Takes note of an authenticated packet from the peer.</summary>
    public void Heard(DateTimeOffset now, bool direct)
    {
        LastHeard = now;
        UnansweredSince = null;
        FailedRepairs = 0;
        ToldRendezvous = false;
        if (direct)
        {
            LastHeardDirect = now;
        }
    }

    /// <summary>Takes note of something sent to the peer; <paramref name="expectsTraffic"/> when silence afterwards means trouble.</summary>
    public void Sent(DateTimeOffset now, bool expectsTraffic)
    {
        LastSent = now;
        if (expectsTraffic)
        {
            UnansweredSince ??= now;
        }
    }
}
