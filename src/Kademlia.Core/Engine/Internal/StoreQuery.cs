using Kademlia.Identity;
using Kademlia.Lookup;
using Kademlia.Routing;
using Kademlia.Wire;

namespace Kademlia.Engine.Internal;

/// <summary>
/// PUT or ANNOUNCE: a FIND_NODE lookup of the key, then the store request to each of the k closest
/// nodes that answered, all at once. Succeeds when at least the quorum acknowledged.
/// </summary>
internal sealed class StoreQuery : EngineQuery
{
    private readonly Func<ulong, Message> _storeRequest;
    private readonly int _quorum;
    private readonly Dictionary<PutStatus, int> _rejections = [];
    private readonly HashSet<ulong> _awaiting = [];
    private List<NodeInfo>? _targets;
    private int _nextTarget;
    private int _stored;

    /// <param name="id">The query.</param>
    /// <param name="now">Its start.</param>
    /// <param name="context">The engine.</param>
    /// <param name="key">The record key or topic.</param>
    /// <param name="storeRequest">Builds the PUT or ADD_PROVIDER for a request ID.</param>
    /// <param name="quorum">Acknowledgements needed.</param>
    public StoreQuery(QueryId id, DateTimeOffset now, IQueryContext context, NodeId key, Func<ulong, Message> storeRequest, int quorum)
        : base(id, now, context)
    {
        _storeRequest = storeRequest;
        _quorum = quorum;
        Lookup = StartLookup(key, now);
        LookupTarget = key;
    }

    public DisjointLookup Lookup { get; }

    public override QueryStep Next(DateTimeOffset now)
    {
        if (_targets is null)
        {
            var step = Lookup.Next(now);
            if (step.Kind != LookupStepKind.Finished)
            {
                return FromLookup(step, _ => new FindNodeRequest(Context.NewRequestId(), Lookup.Target));
            }

            _targets = Lookup.Result.Select(c => c.Node).ToList();
        }

        if (_nextTarget < _targets.Count)
        {
            var target = _targets[_nextTarget++];
            var request = _storeRequest(Context.NewRequestId());
            _awaiting.Add(request.RequestId);
            return QueryStep.Send(target, request);
        }

        return _awaiting.Count == 0 ? QueryStep.Done : QueryStep.Wait(null);
    }

    public override void OnResponse(NodeInfo peer, Message response, DateTimeOffset now)
    {
        if (!_awaiting.Remove(response.RequestId))
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

            return;
        }

        if (response is PutResultResponse { Status: PutStatus.Stored })
        {
            _stored++;
        }
        else
        {
            var status = response is PutResultResponse result ? result.Status : PutStatus.NotClosest;
            _rejections[status] = _rejections.GetValueOrDefault(status) + 1;
        }
    }

    public override void OnFailure(NodeId peer, ulong requestId, DateTimeOffset now)
    {
        if (!_awaiting.Remove(requestId))
        {
            Lookup.OnFailure(peer);
        }
    }

    public override QueryResult BuildResult(DateTimeOffset now)
    {
        var closest = Lookup.Result;
        return new StoreResult(Lookup.Target, _stored, _targets?.Count ?? 0, _rejections)
        {
            Succeeded = _stored >= _quorum,
            MessagesSent = MessagesSent,
            Duration = now - StartedAt,
            Hops = Lookup.Hops,
            Path = PathTo(closest.Count > 0 ? closest[0] : null),
        };
    }
}
