using Kademlia.Routing;

namespace Kademlia.Lookup;

/// <summary>Where a candidate stands in a lookup.</summary>
public enum CandidateState
{
    /// <summary>Known, not yet queried.</summary>
    NotContacted,

    /// <summary>Queried; the answer is awaited until the deadline.</summary>
    InFlight,

    /// <summary>Its deadline passed: its slot is freed, but a late answer is still used.</summary>
    Unresponsive,

    /// <summary>Answered.</summary>
    Succeeded,

    /// <summary>Failed (error, invalid answer) or unreachable.</summary>
    Failed,

    /// <summary>Left to another disjoint path that claimed it first (at every address this path heard for it).</summary>
    Skipped,
}

/// <summary>A node a lookup knows of, with its state and how it was learned.</summary>
public sealed class LookupCandidate
{
    internal LookupCandidate(NodeInfo node, int depth, LookupCandidate? learnedFrom)
    {
        Node = node;
        Depth = depth;
        LearnedFrom = learnedFrom;
    }

    /// <summary>The node, at the address the lookup queries (or last queried) it at.</summary>
    public NodeInfo Node { get; internal set; }

    /// <summary>
    /// Every address heard for the ID, in the order heard (null while only <see cref="Node"/>'s): when the query at
    /// the current one fails, the next is tried (a peer that names the ID with a dead address does not hide the node).
    /// </summary>
    internal List<NodeInfo>? Addresses { get; set; }

    /// <summary>The position in <see cref="Addresses"/> of the address queried now.</summary>
    internal int AddressIndex { get; set; }

    /// <summary>Addresses this candidate was queried at so far.</summary>
    public int Attempts { get; internal set; }

    /// <summary>Hops from the originator: 1 for a starting contact, one more than its referrer otherwise.</summary>
    public int Depth { get; }

    /// <summary>The candidate whose answer named this one, or null for a starting contact.</summary>
    public LookupCandidate? LearnedFrom { get; }

    /// <summary>The referral chain from the first hop to this candidate.</summary>
    public IReadOnlyList<LookupCandidate> Path()
    {
        var path = new List<LookupCandidate>(Depth);
        for (var hop = this; hop is not null; hop = hop.LearnedFrom)
        {
            path.Add(hop);
        }

        path.Reverse();
        return path;
    }

    /// <summary>The candidate's current state.</summary>
    public CandidateState State { get; internal set; }

    /// <summary>When the query was sent, while it is or was in flight.</summary>
    public DateTimeOffset SentAt { get; internal set; }

    /// <summary>When the answer arrived, once it did.</summary>
    public DateTimeOffset? AnsweredAt { get; internal set; }

    /// <summary>The round-trip time of its answer, once it answered.</summary>
    public TimeSpan? Rtt => AnsweredAt - SentAt;

    /// <summary>When an in-flight query is considered unanswered.</summary>
    public DateTimeOffset Deadline { get; internal set; }

    /// <inheritdoc/>
    public override string ToString() => $"{Node} depth {Depth} {State}";
}
