namespace Kademlia;

/// <summary>
/// Why an operation did not achieve what it was asked (<see cref="QueryResult.Failure"/>), as a value a
/// program can switch on instead of reading counters or log lines.
/// </summary>
public enum OperationFailure
{
    /// <summary>It succeeded.</summary>
    None = 0,

    /// <summary>A bootstrap: no seed answered (down, unreachable, or not a node of this protocol).</summary>
    NoSeedAnswered,

    /// <summary>
    /// Nobody answered, and packets of another network (another network ID in their header) arrived while
    /// the operation ran: the peers asked most likely run another network (<c>--network</c>, <c>DhtNodeOptions.Network</c>).
    /// </summary>
    WrongNetwork,

    /// <summary>The routing table was empty: there was nobody to ask (join first).</summary>
    NoContacts,

    /// <summary>The lookup ran and the nodes answered, but none held a value or provider for the key.</summary>
    NotFound,

    /// <summary>A compare-and-swap put was refused: the stored sequence is not the expected one.</summary>
    CasMismatch,

    /// <summary>
    /// A put or announce found no other node to store on: this node keeps the record and republishes it
    /// once it has peers, but nobody else holds it yet.
    /// </summary>
    StoredLocallyOnly,

    /// <summary>The nodes asked answered with a refusal (quota, too large, stale sequence, no such channel...).</summary>
    Refused,

    /// <summary>The nodes asked did not answer in time.</summary>
    Timeout,

    /// <summary>A connection found no path to the peer (neither direct, punched nor relayed).</summary>
    Unreachable,
}
