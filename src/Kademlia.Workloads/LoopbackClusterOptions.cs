using Kademlia.Identity;

namespace Kademlia.Workloads;

/// <summary>How to build a <see cref="LoopbackCluster"/>.</summary>
public sealed class LoopbackClusterOptions
{
    /// <summary>Nodes in the network. Defaults to 50.</summary>
    public int Nodes { get; set; } = 50;

    /// <summary>Seeds the node identities. Defaults to 1.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Port of node 0; node i binds <c>BasePort + i</c>. Defaults to 0: ports chosen by the system.</summary>
    public int BasePort { get; set; }

    /// <summary>The network the nodes join. Defaults to <see cref="NetworkParameters.Test"/> (cheap proof-of-work, loopback exempt from diversity limits).</summary>
    public NetworkParameters Network { get; set; } = NetworkParameters.Test;

    /// <summary>Starts the nodes with <see cref="DhtNodeOptions.UnsafePreferInlineScheduling"/>. Defaults to false.</summary>
    public bool InlineScheduling { get; set; }

    /// <summary>Longest wait for one operation (a bootstrap, a lookup); past it the operation counts as failed. Defaults to 30 seconds.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait for the routing tables to stop changing after the joins. Defaults to 30 seconds.</summary>
    public TimeSpan SettleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Nodes, 2, nameof(Nodes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Nodes, 2_000, nameof(Nodes));
        ArgumentOutOfRangeException.ThrowIfNegative(BasePort, nameof(BasePort));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(BasePort + Nodes - 1, 65_535, nameof(BasePort));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(OperationTimeout, TimeSpan.Zero, nameof(OperationTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(SettleTimeout, TimeSpan.Zero, nameof(SettleTimeout));
    }
}
