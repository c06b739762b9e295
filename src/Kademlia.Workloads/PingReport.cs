using System.Text.Json;

namespace Kademlia.Workloads;

/// <summary>What <see cref="PingWorkload"/> measured.</summary>
public sealed record PingReport
{
    /// <summary>Requests in flight.</summary>
    public required int Window { get; init; }

    /// <summary>Logical processors of the machine (both ends and anything else running share them).</summary>
    public required int Processors { get; init; }

    /// <summary>Bytes of each raw echo datagram: the mean size of the nodes' datagrams, so both carry as much.</summary>
    public required int DatagramBytes { get; init; }

    /// <summary>Authenticated PING/PONG between two <see cref="DhtNode"/>s with the default options.</summary>
    public required ThroughputReport Nodes { get; init; }

    /// <summary>The same between two nodes with <see cref="DhtNodeOptions.UnsafePreferInlineScheduling"/>.</summary>
    public required ThroughputReport InlineNodes { get; init; }

    /// <summary>Plain datagrams echoed by a synchronous loop on another socket.</summary>
    public required ThroughputReport RawUdp { get; init; }

    /// <summary>Node answers per second over raw echoes per second.</summary>
    public double Ratio => RawUdp.PerSecond > 0 ? Nodes.PerSecond / RawUdp.PerSecond : 0;

    /// <summary>Node answers per second with inline scheduling over raw echoes per second.</summary>
    public double InlineRatio => RawUdp.PerSecond > 0 ? InlineNodes.PerSecond / RawUdp.PerSecond : 0;

    /// <summary>The report as one JSON object (camelCase names).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, WorkloadJsonContext.Default.PingReport);
}
