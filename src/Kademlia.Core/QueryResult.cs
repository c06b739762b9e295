using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Routing;

namespace Kademlia;

/// <summary>How an operation went, common to every kind.</summary>
public abstract record QueryResult
{
    /// <summary>Whether the operation achieved what it was asked.</summary>
    public required bool Succeeded { get; init; }

    /// <summary>Why it did not (<see cref="OperationFailure.None"/> when it <see cref="Succeeded"/>).</summary>
    public OperationFailure Failure { get; init; }

    /// <summary>Requests sent on behalf of the operation.</summary>
    public required int MessagesSent { get; init; }

    /// <summary>From start to finish, in the engine's time.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>Hops of the lookup (depth of the closest node that answered, or of the node that had the value); 0 without a lookup.</summary>
    public int Hops { get; init; }

    /// <summary>The referral chain to the closest answering node (or the value holder), first hop first.</summary>
    public IReadOnlyList<PathHop> Path { get; init; } = [];
}

/// <summary>One hop of a lookup path.</summary>
/// <param name="Node">The node queried.</param>
/// <param name="Depth">Its hop number (1 = a contact we already knew).</param>
/// <param name="Rtt">How long it took to answer, or null if it did not.</param>
public sealed record PathHop(NodeInfo Node, int Depth, TimeSpan? Rtt);

/// <summary>The outcome of a PING.</summary>
/// <param name="Peer">The node that answered, or null.</param>
/// <param name="Rtt">The round-trip time.</param>
/// <param name="ObservedEndpoint">Our address as the peer saw it.</param>
public sealed record PingResult(NodeInfo? Peer, TimeSpan Rtt, NodeEndpoint ObservedEndpoint) : QueryResult;

/// <summary>The outcome of a FIND_NODE lookup.</summary>
/// <param name="Closest">The closest nodes that answered, closest first.</param>
public sealed record FindNodeResult(IReadOnlyList<NodeInfo> Closest) : QueryResult;

/// <summary>The outcome of a GET.</summary>
/// <param name="Record">The value found (for a mutable key, the highest valid sequence seen), or null.</param>
/// <param name="HoldersSeen">Nodes that returned a valid value.</param>
public sealed record GetResult(ValueRecord? Record, int HoldersSeen) : QueryResult
{
    /// <summary>The first valid value found (for a mutable key, possibly older than <see cref="Record"/>), or null.</summary>
    public ValueRecord? FirstRecord { get; init; }

    /// <summary>How long after the start the first valid value arrived, or null when none did.</summary>
    public TimeSpan? FirstFoundAfter { get; init; }
}

/// <summary>The outcome of a PUT or ANNOUNCE.</summary>
/// <param name="Key">The record key or topic.</param>
/// <param name="Stored">Nodes that acknowledged storing it.</param>
/// <param name="Attempted">Nodes asked to store it (the k closest found).</param>
/// <param name="Rejections">Refusals by status, e.g. a compare-and-swap mismatch.</param>
public sealed record StoreResult(NodeId Key, int Stored, int Attempted, IReadOnlyDictionary<PutStatus, int> Rejections) : QueryResult;

/// <summary>The outcome of FIND_PROVIDERS.</summary>
/// <param name="Providers">Every valid provider found (each also reported by <see cref="ProviderFound"/>).</param>
public sealed record FindProvidersResult(IReadOnlyList<ProviderRecord> Providers) : QueryResult;

/// <summary>The outcome of a bootstrap.</summary>
/// <param name="SeedsAnswered">Seeds that answered.</param>
/// <param name="TableSize">Contacts in the routing table afterwards.</param>
public sealed record BootstrapResult(int SeedsAnswered, int TableSize) : QueryResult;

/// <summary>The outcome of an APP_REQUEST (<see cref="KademliaEngine.SendAppRequest"/>).</summary>
/// <param name="Peer">The node asked.</param>
/// <param name="Response">The peer application's answer when <see cref="QueryResult.Succeeded"/>; empty otherwise.</param>
/// <param name="Refusal">
/// The ERROR that ended the request (<see cref="ErrorCode.NoSuchChannel"/> when nothing receives on
/// the channel there), or null when it succeeded or no attempt was answered in time.
/// </param>
/// <param name="Rtt">From the last attempt's send to the answer, including the peer application's own time.</param>
public sealed record AppRequestResult(NodeInfo Peer, ReadOnlyMemory<byte> Response, ErrorCode? Refusal, TimeSpan Rtt) : QueryResult;

/// <summary>
/// How a <see cref="KademliaEngine.Connect(DateTimeOffset, NodeInfo, System.Collections.Immutable.ImmutableArray{Wire.WireContact}, bool)"/> reached its peer: the session's path when it opened, and the
/// rendezvous node used, if any.
/// </summary>
/// <param name="Peer">The peer (as given).</param>
/// <param name="Via">Direct (straight or punched) or relayed; <see cref="PeerPath.None"/> when it failed.</param>
/// <param name="Rendezvous">The rendezvous that coordinated the punch or carries the relay, or null.</param>
/// <param name="PunchAttempted">Whether a hole punch was tried.</param>
public sealed record ConnectResult(NodeInfo Peer, PeerPath Via, NodeInfo? Rendezvous, bool PunchAttempted) : QueryResult;
