using Kademlia.Identity;
using Kademlia.Lookup;

namespace Kademlia.Mainline.Internal;

/// <summary>Where an operation stands.</summary>
internal enum OperationPhase
{
    Probe,
    Lookup,
    Store,
}

/// <summary>The state of one <see cref="MainlineEngine"/> operation from start to completion.</summary>
internal sealed class MainlineOperation(long id, MainlineOperationKind kind, MainlineId target, DateTimeOffset started, bool reported)
{
    public long Id { get; } = id;

    public MainlineOperationKind Kind { get; } = kind;

    public MainlineId Target { get; } = target;

    public DateTimeOffset Started { get; } = started;

    /// <summary>False for the engine's own maintenance (bucket refresh): no completion is reported.</summary>
    public bool Reported { get; } = reported;

    public OperationPhase Phase { get; set; } = OperationPhase.Lookup;

    public ClosestNodesLookup? Lookup { get; set; }

    public DateTimeOffset? WakeAt { get; set; }

    /// <summary>Probes or store requests still awaited.</summary>
    public int Outstanding { get; set; }

    public List<NodeInfo> Seeds { get; } = [];

    public Dictionary<NodeId, BencodeString> Tokens { get; } = [];

    public HashSet<NodeEndpoint> Peers { get; } = [];

    public List<KrpcError> Errors { get; } = [];

    /// <summary>Ping: the node that answered.</summary>
    public List<MainlineNode> Answered { get; } = [];

    public MainlineItem? Found { get; set; }

    /// <summary>When the first peers or item arrived.</summary>
    public DateTimeOffset? FirstFoundAt { get; set; }

    /// <summary>GetItem: the salt a mutable item is verified with.</summary>
    public BencodeString Salt { get; init; } = BencodeString.Empty;

    /// <summary>PutItem: the item to store and its optional cas.</summary>
    public MainlineItem? Item { get; init; }

    public long? Cas { get; init; }

    /// <summary>Announce: the port, or null for <c>implied_port</c>.</summary>
    public ushort? AnnouncePort { get; init; }

    public int Stored { get; set; }

    public int QueriesSent { get; set; }

    public int Responses { get; set; }
}

/// <summary>Why a query was sent, so its answer goes where it belongs.</summary>
internal enum TransactionPurpose
{
    /// <summary>A lookup's query: the answer feeds the lookup.</summary>
    Lookup,

    /// <summary>A bootstrap probe of a node whose ID is not known yet.</summary>
    Probe,

    /// <summary>announce_peer or put.</summary>
    Store,

    /// <summary>A ping: an explicit one, a querier being verified, or a full bucket's oldest contact.</summary>
    Ping,

    /// <summary>The ping of a full bucket's oldest contact: no answer evicts it.</summary>
    Liveness,
}

/// <summary>A query awaiting its answer.</summary>
internal sealed record PendingTransaction(
    NodeEndpoint To,
    NodeId? ExpectedId,
    TransactionPurpose Purpose,
    MainlineOperation? Operation,
    DateTimeOffset SentAt,
    DateTimeOffset Expires);
