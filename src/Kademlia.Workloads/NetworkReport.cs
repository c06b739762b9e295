using System.Text.Json;

namespace Kademlia.Workloads;

/// <summary>What a <see cref="NetworkWorkload"/> run measured.</summary>
public sealed record NetworkReport
{
    /// <summary>Nodes in the network.</summary>
    public required int Nodes { get; init; }

    /// <summary>The seed of the identities and the workload.</summary>
    public required int Seed { get; init; }

    /// <summary>Logical processors of the machine (the nodes, the workload and anything else running share them).</summary>
    public required int Processors { get; init; }

    /// <summary>From the first join to the end of the refresh round, in milliseconds.</summary>
    public required double BootstrapMs { get; init; }

    /// <summary>Each node's own bootstrap, in milliseconds.</summary>
    public required Distribution JoinMs { get; init; }

    /// <summary>Bootstraps that failed.</summary>
    public required int FailedJoins { get; init; }

    /// <summary>After the refresh round, when the last routing table changed, in milliseconds.</summary>
    public required double SettleMs { get; init; }

    /// <summary>Whether the tables stopped changing within the bound.</summary>
    public required bool Settled { get; init; }

    /// <summary>Routing-table sizes before the workload.</summary>
    public required Distribution TableSizes { get; init; }

    /// <summary>One entry per kind of operation, in the order they ran.</summary>
    public required IReadOnlyList<OperationReport> Operations { get; init; }

    /// <summary>Datagrams all nodes sent during the workload (not the bootstrap).</summary>
    public required long PacketsOut { get; init; }

    /// <summary>Requests that timed out during the workload.</summary>
    public required long RequestTimeouts { get; init; }

    /// <summary>Datagrams dropped during the workload, all reasons.</summary>
    public required long Drops { get; init; }

    /// <summary>Wall time of the workload (not the bootstrap), in milliseconds.</summary>
    public required double WorkloadMs { get; init; }

    /// <summary>Whether every operation succeeded.</summary>
    public bool AllSucceeded => Operations.All(o => o.Succeeded == o.Attempts);

    /// <summary>The report as one JSON object (camelCase names).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, WorkloadJsonContext.Default.NetworkReport);
}
