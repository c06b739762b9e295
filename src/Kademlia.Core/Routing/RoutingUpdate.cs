namespace Kademlia.Routing;

/// <summary>What <see cref="RoutingTable.Observe"/> did with a node.</summary>
public enum RoutingUpdateKind
{
    /// <summary>The node was new and took a free place in its bucket.</summary>
    Added,

    /// <summary>The node was already in the table and moved to the most-recently-seen end.</summary>
    Updated,

    /// <summary>
    /// The bucket is full: the node waits in the replacement cache, and the caller should ping
    /// <see cref="RoutingUpdate.PingCandidate"/> (the oldest contact) and report the outcome.
    /// </summary>
    Pending,

    /// <summary>The node was refused; <see cref="RoutingUpdate.Rejection"/> says why.</summary>
    Rejected,
}

/// <summary>Why a node was refused a place in the routing table.</summary>
public enum RoutingRejection
{
    /// <summary>Not refused.</summary>
    None,

    /// <summary>The node is the table's owner.</summary>
    Self,

    /// <summary>The node's ID or nonce does not meet the network's proof-of-work.</summary>
    InvalidProofOfWork,

    /// <summary>Its /24 (IPv4) or /48 (IPv6) already has the maximum number of contacts in the bucket or table.</summary>
    SubnetLimit,

    /// <summary>The endpoint is unspecified (address 0 or port 0) and cannot be reached.</summary>
    UnreachableEndpoint,
}

/// <summary>The outcome of offering a node to the routing table.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Contact">The node's contact (null when rejected).</param>
/// <param name="PingCandidate">For <see cref="RoutingUpdateKind.Pending"/>: the oldest contact to ping.</param>
/// <param name="Rejection">For <see cref="RoutingUpdateKind.Rejected"/>: the reason.</param>
public readonly record struct RoutingUpdate(
    RoutingUpdateKind Kind,
    Contact? Contact,
    Contact? PingCandidate = null,
    RoutingRejection Rejection = RoutingRejection.None)
{
    internal static RoutingUpdate Rejected(RoutingRejection reason) => new(RoutingUpdateKind.Rejected, null, null, reason);
}
