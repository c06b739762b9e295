namespace Kademlia.Engine;

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

    /// <summary>Dropped datagrams and messages by reason ("session.InvalidMac1", "engine.RateLimited", ...).</summary>
    public IReadOnlyDictionary<string, long> Drops { get; init; } = new Dictionary<string, long>();

    /// <summary>All drops.</summary>
    public long TotalDrops => Drops.Values.Sum();
}
