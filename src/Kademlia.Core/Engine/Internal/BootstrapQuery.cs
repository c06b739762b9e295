using System.Net;
using Kademlia.Identity;
using Kademlia.Lookup;
using Kademlia.Routing;
using Kademlia.Wire;

namespace Kademlia.Engine.Internal;

/// <summary>
/// Joining, as in the paper: contact the seeds (IK when their key is known, XX when only their
/// address is), look up our own ID, then refresh every bucket farther than our closest neighbour
/// with a lookup of a random ID in its range. The refresh lookups run side by side.
/// </summary>
internal sealed class BootstrapQuery : EngineQuery
{
    private readonly List<QueryStep> _seedPings = [];
    private readonly HashSet<ulong> _pendingSeeds = [];
    private readonly Random _random;
    private int _seedsAnswered;
    private int _nextSeed;
    private DisjointLookup? _selfLookup;
    private List<DisjointLookup>? _refreshes;
    private readonly Dictionary<ulong, DisjointLookup> _lookupOfRequest = [];

    public BootstrapQuery(QueryId id, DateTimeOffset now, IQueryContext context, IEnumerable<NodeInfo> seeds, IEnumerable<EndPoint> addresses, Random random)
        : base(id, now, context)
    {
        _random = random;
        foreach (var seed in seeds)
        {
            var ping = new PingRequest(context.NewRequestId());
            _pendingSeeds.Add(ping.RequestId);
            _seedPings.Add(QueryStep.Send(seed, ping));
        }

        foreach (var address in addresses)
        {
            var ping = new PingRequest(context.NewRequestId());
            _pendingSeeds.Add(ping.RequestId);
            _seedPings.Add(QueryStep.SendTo(address, ping));
        }
    }

    /// <summary>Whether <paramref name="requestId"/> is one of the seed pings (the operator's choice of peers, not a third party's).</summary>
    public bool IsSeedPing(ulong requestId) => _pendingSeeds.Contains(requestId);

    public override QueryStep Next(DateTimeOffset now)
    {
        if (_nextSeed < _seedPings.Count)
        {
            return _seedPings[_nextSeed++];
        }

        if (_pendingSeeds.Count > 0)
        {
            return QueryStep.Wait(null);
        }

        if (_selfLookup is null)
        {
            _selfLookup = StartLookup(Context.Self, now);
        }

        if (!_selfLookup.IsFinished)
        {
            var step = _selfLookup.Next(now);
            switch (step.Kind)
            {
                case LookupStepKind.Send:
                    return Track(_selfLookup, step);
                case LookupStepKind.Waiting:
                    return QueryStep.Wait(step.WakeAt);
            }
        }

        _refreshes ??= Context.Routing.BucketsDueForRefresh(now)
            .Select(bucket => StartLookup(NodeId.RandomInBucket(Context.Self, bucket, _random), now))
            .ToList();
        DateTimeOffset? wakeAt = null;
        var waiting = false;
        foreach (var refresh in _refreshes)
        {
            var step = refresh.Next(now);
            switch (step.Kind)
            {
                case LookupStepKind.Send:
                    return Track(refresh, step);
                case LookupStepKind.Waiting:
                    waiting = true;
                    wakeAt = Deadlines.Earliest(wakeAt, step.WakeAt);
                    break;
            }
        }

        return waiting ? QueryStep.Wait(wakeAt) : QueryStep.Done;
    }

    public override void OnResponse(NodeInfo peer, Message response, DateTimeOffset now)
    {
        if (_pendingSeeds.Remove(response.RequestId))
        {
            _seedsAnswered++;
            return;
        }

        if (!_lookupOfRequest.Remove(response.RequestId, out var lookup))
        {
            return;
        }

        if (response is NodesResponse nodes)
        {
            lookup.OnSuccess(peer.Id, Context.ValidContacts(nodes.Contacts, out _), now);
        }
        else
        {
            Context.ReportInvalidAnswer(peer.Id, now);
            lookup.OnFailure(peer.Id);
        }
    }

    public override void OnFailure(NodeId peer, ulong requestId, DateTimeOffset now)
    {
        if (_pendingSeeds.Remove(requestId))
        {
            return;
        }

        if (_lookupOfRequest.Remove(requestId, out var lookup))
        {
            lookup.OnFailure(peer);
        }
    }

    public override QueryResult BuildResult(DateTimeOffset now) => new BootstrapResult(_seedsAnswered, Context.Routing.Count)
    {
        Succeeded = Context.Routing.Count > 0,
        MessagesSent = MessagesSent,
        Duration = now - StartedAt,
        Hops = _selfLookup?.Hops ?? 0,
    };

    private QueryStep Track(DisjointLookup lookup, LookupStep step)
    {
        var request = new FindNodeRequest(Context.NewRequestId(), lookup.Target);
        _lookupOfRequest[request.RequestId] = lookup;
        return QueryStep.Send(step.Peer, request);
    }
}
