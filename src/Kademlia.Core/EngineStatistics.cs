using Kademlia.Engine;

namespace Kademlia;

/// <summary>A snapshot of an engine's counters.</summary>
public sealed record EngineStatistics
{
    /// <summary>Datagrams received.</summary>
    public long PacketsIn { get; init; }

    /// <summary>Datagrams emitted.</summary>
    public long PacketsOut { get; init; }

    /// <summary>Bytes received.</summary>
    public long BytesIn { get; init; }

    /// <summary>Bytes emitted.</summary>
    public long BytesOut { get; init; }

    /// <summary>Requests answered.</summary>
    public long RequestsServed { get; init; }

    /// <summary>Requests sent.</summary>
    public long RequestsSent { get; init; }

    /// <summary>Requests that timed out.</summary>
    public long RequestTimeouts { get; init; }

    /// <summary>Operations started (including the engine's own maintenance).</summary>
    public long QueriesStarted { get; init; }

    /// <summary>Operations in progress.</summary>
    public int QueriesActive { get; init; }

    /// <summary>Contacts in the routing table.</summary>
    public int RoutingTableSize { get; init; }

    /// <summary>Peers with a live session.</summary>
    public int Sessions { get; init; }

    /// <summary>App messages (requests and datagrams) handed to applications.</summary>
    public long AppMessagesDelivered { get; init; }

    /// <summary>App messages sent: datagrams, and every attempt of a request.</summary>
    public long AppMessagesSent { get; init; }

    /// <summary>Dropped datagrams and messages by reason ("session.InvalidMac1", "engine.RateLimited", ...).</summary>
    public IReadOnlyDictionary<string, long> Drops { get; init; } = new Dictionary<string, long>();

    /// <summary>The public endpoint peers agree they see this node at, or null before a quorum agreed.</summary>
    public NodeEndpoint? ExternalEndpoint { get; init; }

    /// <summary>Whether packets from strangers reach this node.</summary>
    public NodeReachability Reachability { get; init; }

    /// <summary>What this node's reachability probes came to.</summary>
    public ReachabilityProbeCounts ReachabilityProbes { get; init; } = new();

    /// <summary>Whether the node runs as a client (kept out of others' routing tables).</summary>
    public bool IsClient { get; init; }

    /// <summary>Hole punches started (as requester or as the client told to punch).</summary>
    public long PunchesStarted { get; init; }

    /// <summary>Hole punches that ended with the session at the punched endpoint.</summary>
    public long PunchesSucceeded { get; init; }

    /// <summary>As a rendezvous: clients that keep sessions with this node.</summary>
    public int RendezvousClients { get; init; }

    /// <summary>As a rendezvous: relay circuits open now.</summary>
    public int RelayCircuits { get; init; }

    /// <summary>As a rendezvous: relay circuits opened so far.</summary>
    public long RelayCircuitsOpened { get; init; }

    /// <summary>As a rendezvous: RELAY frames passed on so far.</summary>
    public long RelayedFrames { get; init; }

    /// <summary>As a rendezvous: relayed packet bytes passed on so far.</summary>
    public long RelayedBytes { get; init; }

    /// <summary>Paths kept for applications (<see cref="KademliaEngine.KeepLink"/>).</summary>
    public int KeptPaths { get; init; }

    /// <summary>Punches the kept paths started: repairs of dead paths and attempts to leave a relay.</summary>
    public long KeptPathPunches { get; init; }

    /// <summary>Kept paths that moved from a relay to a direct path.</summary>
    public long KeptPathUpgrades { get; init; }

    /// <summary>All drops.</summary>
    public long TotalDrops => Drops.Values.Sum();
}
