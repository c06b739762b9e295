using Kademlia.Routing;

namespace Kademlia.Simulation;

/// <summary>How a simulated node behaves when queried.</summary>
public enum NodeBehavior
{
    /// <summary>Answers honestly.</summary>
    Honest,

    /// <summary>Never answers (offline, behind a NAT, or dropping).</summary>
    Silent,

    /// <summary>Answers with contacts of its colluders only, hiding the honest closest nodes.</summary>
    Colluding,
}

/// <summary>One node of a <see cref="MessageLevelNetwork"/>: its contact, routing table, latency and behaviour.</summary>
public sealed class SimulatedNode
{
    internal SimulatedNode(int index, NodeInfo info, RoutingTable table, TimeSpan oneWayLatency)
    {
        Index = index;
        Info = info;
        Table = table;
        OneWayLatency = oneWayLatency;
    }

    /// <summary>The node's position in the network.</summary>
    public int Index { get; }

    /// <summary>The node's wire description.</summary>
    public NodeInfo Info { get; }

    /// <summary>The node's routing table.</summary>
    public RoutingTable Table { get; }

    /// <summary>Half the round trip to any other node is the sum of both nodes' one-way latencies.</summary>
    public TimeSpan OneWayLatency { get; }

    /// <summary>How the node answers queries.</summary>
    public NodeBehavior Behavior { get; set; }
}
