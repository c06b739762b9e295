using Kademlia.Identity;
using Kademlia.Lookup;
using Kademlia.Routing;
using Kademlia.Wire;

namespace Kademlia.Engine.Internal;

/// <summary>An iterative FIND_NODE lookup of the k closest nodes to a target.</summary>
internal sealed class FindNodeQuery : EngineQuery
{
    public FindNodeQuery(QueryId id, DateTimeOffset now, IQueryContext context, NodeId target)
        : base(id, now, context)
    {
        Lookup = StartLookup(target, now);
        LookupTarget = target;
    }

    public DisjointLookup Lookup { get; }

    public override QueryStep Next(DateTimeOffset now) =>
        FromLookup(Lookup.Next(now), _ => new FindNodeRequest(Context.NewRequestId(), Lookup.Target));

    public override void OnResponse(NodeInfo peer, Message response, DateTimeOffset now)
    {
        if (response is NodesResponse nodes)
        {
            Lookup.OnSuccess(peer.Id, Context.ValidContacts(nodes.Contacts, out _), now);
        }
        else
        {
            Context.ReportInvalidAnswer(peer.Id, now);
            Lookup.OnFailure(peer.Id);
        }
    }

    public override void OnFailure(NodeId peer, ulong requestId, DateTimeOffset now) => Lookup.OnFailure(peer);

    public override QueryResult BuildResult(DateTimeOffset now)
    {
        var result = Lookup.Result;
        return new FindNodeResult(result.Select(c => c.Node).ToList())
        {
            Succeeded = result.Count > 0,
            MessagesSent = MessagesSent,
            Duration = now - StartedAt,
            Hops = Lookup.Hops,
            Path = PathTo(result.Count > 0 ? result[0] : null),
        };
    }
}
