namespace Kademlia.Mainline;

/// <summary>How a <see cref="MainlineEngine"/> operation ended: what it found and what it cost.</summary>
public sealed record MainlineOperationResult
{
    /// <summary>The operation's number, as its start method returned it.</summary>
    public required long OperationId { get; init; }

    /// <summary>What the operation did.</summary>
    public required MainlineOperationKind Kind { get; init; }

    /// <summary>The info-hash, item target or node ID looked up.</summary>
    public required MainlineId Target { get; init; }

    /// <summary>The peers found (<see cref="MainlineOperationKind.GetPeers"/> and <see cref="MainlineOperationKind.Announce"/>).</summary>
    public IReadOnlyList<NodeEndpoint> Peers { get; init; } = [];

    /// <summary>
    /// The verified item found (<see cref="MainlineOperationKind.GetItem"/>): the immutable value, or the mutable
    /// item with the highest sequence number seen. Null when none was found.
    /// </summary>
    public MainlineItem? Item { get; init; }

    /// <summary>Nodes that acknowledged the <c>announce_peer</c> or <c>put</c>.</summary>
    public int StoredCount { get; init; }

    /// <summary>The KRPC errors storing nodes answered (for a <c>put</c>: 301 cas mismatch, 302 sequence too low, ...).</summary>
    public IReadOnlyList<KrpcError> Errors { get; init; } = [];

    /// <summary>The closest nodes that answered the lookup, closest first.</summary>
    public IReadOnlyList<MainlineNode> Closest { get; init; } = [];

    /// <summary>Queries this operation sent (lookup and store).</summary>
    public int QueriesSent { get; init; }

    /// <summary>Answers it received (responses and errors).</summary>
    public int Responses { get; init; }

    /// <summary>
    /// From the start to the first answer that carried what was looked for (peers or a verified item), or null
    /// when none did. The lookup goes on to the k closest after it (for a mutable item a higher sequence number
    /// may still come); an immutable item ends it there.
    /// </summary>
    public TimeSpan? FirstFoundAfter { get; init; }

    /// <summary>From the start to the end of the operation.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>True when the operation was cancelled before it ended.</summary>
    public bool Cancelled { get; init; }
}
