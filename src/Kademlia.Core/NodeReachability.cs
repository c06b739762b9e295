namespace Kademlia;

/// <summary>Whether packets from strangers reach this node, as its probes found.</summary>
public enum NodeReachability
{
    /// <summary>Not tested yet, or no test was conclusive.</summary>
    Unknown,

    /// <summary>A node this one never contacted reached it at its learned endpoint.</summary>
    Public,

    /// <summary>Probes from strangers did not arrive (behind a NAT or firewall that filters them).</summary>
    Private,
}
