namespace Kademlia.Workloads;

/// <summary>The fixed, seeded workload that <see cref="NetworkWorkload"/> runs on a <see cref="LoopbackCluster"/>.</summary>
public sealed class NetworkWorkloadOptions
{
    /// <summary>The network to build. Defaults to 50 nodes, seed 1, system-chosen ports.</summary>
    public LoopbackClusterOptions Cluster { get; set; } = new();

    /// <summary>Announce-then-find-providers pairs (announcer and searcher differ). Defaults to 100.</summary>
    public int Lookups { get; set; } = 100;

    /// <summary>Immutable put-then-get pairs (getter and putter differ). Defaults to 50.</summary>
    public int Puts { get; set; } = 50;

    /// <summary>Mutable rounds: put sequence 1, get, put sequence 2, get, each get on another node than its put. Defaults to 30.</summary>
    public int Mutables { get; set; } = 30;

    /// <summary>FIND_NODE lookups of random targets from random nodes. Defaults to 0.</summary>
    public int FindNodes { get; set; }

    /// <summary>Bytes of each stored value. Defaults to 100.</summary>
    public int ValueSize { get; set; } = 100;

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Cluster);
        Cluster.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(Lookups, nameof(Lookups));
        ArgumentOutOfRangeException.ThrowIfNegative(Puts, nameof(Puts));
        ArgumentOutOfRangeException.ThrowIfNegative(Mutables, nameof(Mutables));
        ArgumentOutOfRangeException.ThrowIfNegative(FindNodes, nameof(FindNodes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Lookups + Puts + Mutables + FindNodes, 1_000_000, "operations");
        ArgumentOutOfRangeException.ThrowIfLessThan(ValueSize, 32, nameof(ValueSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ValueSize, 1000, nameof(ValueSize));
    }
}
