using Kademlia.Identity;
using Kademlia.Lookup;
using Kademlia.Routing;
using Kademlia.Wire;

namespace Kademlia.Engine.Internal;

/// <summary>
/// One operation in progress, as a pull state machine: the engine calls <see cref="Next"/> until it
/// waits, routes answers to <see cref="OnResponse"/> and timeouts to <see cref="OnFailure"/>.
/// </summary>
internal abstract class EngineQuery(QueryId id, DateTimeOffset startedAt, IQueryContext context)
{
    public QueryId Id { get; private set; } = id;

    public DateTimeOffset StartedAt { get; private set; } = startedAt;

    /// <summary>False for the engine's own maintenance (republish, refresh): no event is emitted.</summary>
    public bool Reported { get; init; } = true;

    public int MessagesSent { get; set; }

    /// <summary>The engine's count of datagrams of another network when the query started (to tell <see cref="OperationFailure.WrongNetwork"/>).</summary>
    public long WrongNetworkDropsAtStart { get; set; }

    /// <summary>The ID or key an operation started through the API looks up (for <see cref="LookupStepped"/>); null for others.</summary>
    public NodeId? LookupTarget { get; protected init; }

    protected IQueryContext Context { get; } = context;

    public abstract QueryStep Next(DateTimeOffset now);

    /// <summary>Makes this finished object a new query, for a pooled kind (<see cref="PingQuery"/>).</summary>
    protected void Restart(QueryId id, DateTimeOffset startedAt)
    {
        Id = id;
        StartedAt = startedAt;
        MessagesSent = 0;
    }

    /// <summary>An answer from <paramref name="peer"/> to a request of this query.</summary>
    public abstract void OnResponse(NodeInfo peer, Message response, DateTimeOffset now);

    /// <summary>A PONG from <paramref name="peer"/>, read without its record; passed on as one unless overridden.</summary>
    public virtual void OnPong(NodeInfo peer, ulong requestId, NodeEndpoint observed, DateTimeOffset now) =>
        OnResponse(peer, new PongResponse(requestId, observed), now);

    /// <summary>A request of this query to <paramref name="peer"/> failed or timed out.</summary>
    public abstract void OnFailure(NodeId peer, ulong requestId, DateTimeOffset now);

    /// <summary>A request of this query to <paramref name="peer"/> was refused with an ERROR; a failure unless overridden.</summary>
    public virtual void OnError(NodeId peer, ulong requestId, ErrorCode code, DateTimeOffset now) => OnFailure(peer, requestId, now);

    public abstract QueryResult BuildResult(DateTimeOffset now);

    /// <summary>The referral chain to <paramref name="last"/>, first hop first.</summary>
    protected static IReadOnlyList<PathHop> PathTo(LookupCandidate? last) =>
        last is null ? [] : last.Path().Select(hop => new PathHop(hop.Node, hop.Depth, hop.Rtt)).ToList();

    protected DisjointLookup StartLookup(NodeId target, DateTimeOffset now)
    {
        var seeds = Context.Routing.FindClosest(target, Context.LookupOptions.K * Context.LookupOptions.DisjointPaths)
            .Select(c => c.ToNodeInfo());
        Context.Routing.MarkRefreshed(target, now);
        return new DisjointLookup(target, Context.Self, seeds, Context.LookupOptions, Context.MeasuredTimeout);
    }

    protected static QueryStep FromLookup(LookupStep step, Func<NodeInfo, Message> request) => step.Kind switch
    {
        LookupStepKind.Send => QueryStep.Send(step.Peer, request(step.Peer)),
        LookupStepKind.Waiting => QueryStep.Wait(step.WakeAt),
        _ => QueryStep.Done,
    };
}
