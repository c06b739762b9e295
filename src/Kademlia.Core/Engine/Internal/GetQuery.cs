using Kademlia.Identity;
using Kademlia.Lookup;
using Kademlia.Records;
using Kademlia.Routing;
using Kademlia.Wire;

namespace Kademlia.Engine.Internal;

/// <summary>
/// GET: a lookup with FIND_VALUE requests. An immutable value ends it at the first valid copy; a
/// mutable one lets it run to the k closest and keeps the highest valid sequence, reporting each
/// improvement at once (<see cref="ValueFound"/>) so a caller can use the first value without waiting. Then, as in the
/// paper, the value is cached on the closest node of the path that lacked it (or held an older
/// sequence), so popular keys spread and stale replicas heal.
/// </summary>
internal sealed class GetQuery : EngineQuery
{
    private readonly RecordKind _kind;
    private readonly Dictionary<NodeId, ulong> _sequenceOf = [];
    private ValueRecord? _best;
    private ValueRecord? _first;
    private TimeSpan? _firstAfter;
    private LookupCandidate? _bestHolder;
    private NodeId? _bestHolderId;
    private int _holders;
    private bool _cacheSent;

    public GetQuery(QueryId id, DateTimeOffset now, IQueryContext context, NodeId key, RecordKind kind, ValueRecord? local)
        : base(id, now, context)
    {
        _kind = kind;
        _best = local;
        Lookup = StartLookup(key, now);
        LookupTarget = key;
        if (local is not null)
        {
            (_first, _firstAfter) = (local, TimeSpan.Zero);
            context.Emit(new ValueFound(id, local, TimeSpan.Zero));
        }

        if (local is not null && kind == RecordKind.Immutable)
        {
            Lookup.Stop(); // we hold the value ourselves: no lookup needed
        }
    }

    public DisjointLookup Lookup { get; }

    public override QueryStep Next(DateTimeOffset now)
    {
        if (!Lookup.IsFinished)
        {
            var step = Lookup.Next(now);
            if (step.Kind != LookupStepKind.Finished)
            {
                return FromLookup(step, _ => new GetRequest(Context.NewRequestId(), Lookup.Target, _kind));
            }
        }

        if (_cacheSent || _best is null)
        {
            return QueryStep.Done;
        }

        _cacheSent = true;
        var target = CacheTarget();
        if (target is null)
        {
            return QueryStep.Done;
        }

        var ttl = (uint)Context.Options.Network.RecordTtl.TotalSeconds;
        return QueryStep.Send(target.Value, new PutRequest(Context.NewRequestId(), _best, ttl), expectsAnswer: false);
    }

    public override void OnResponse(NodeInfo peer, Message response, DateTimeOffset now)
    {
        switch (response)
        {
            case ValueResponse value when value.Record.Kind == _kind && value.Record.VerifyFor(Lookup.Target) == RecordError.None:
                _holders++;
                var sequence = value.Record is MutableRecord m ? m.Sequence : 0;
                _sequenceOf[peer.Id] = sequence;
                if (_best is null || (_best is MutableRecord current && sequence > current.Sequence))
                {
                    _best = value.Record;
                    _bestHolderId = peer.Id;
                    if (_first is null)
                    {
                        (_first, _firstAfter) = (value.Record, now - StartedAt);
                    }

                    Context.Emit(new ValueFound(Id, value.Record, now - StartedAt));
                }

                Lookup.OnSuccess(peer.Id, Context.ValidContacts(value.CloserContacts, out _), now);
                if (_kind == RecordKind.Immutable)
                {
                    _bestHolder = Lookup.Answered.FirstOrDefault(c => c.Node.Id == peer.Id);
                    Lookup.Stop();
                }

                break;
            case NodesResponse nodes:
                Lookup.OnSuccess(peer.Id, Context.ValidContacts(nodes.Contacts, out _), now);
                break;
            default:
                // A value that fails its key or signature, or an answer of the wrong kind.
                Context.ReportInvalidAnswer(peer.Id, now);
                Lookup.OnFailure(peer.Id);
                break;
        }
    }

    public override void OnFailure(NodeId peer, ulong requestId, DateTimeOffset now) => Lookup.OnFailure(peer);

    public override QueryResult BuildResult(DateTimeOffset now)
    {
        var holder = _bestHolder ?? Lookup.Answered.FirstOrDefault(c => c.Node.Id == _bestHolderId);
        var closest = Lookup.Result;
        var last = holder ?? (closest.Count > 0 ? closest[0] : null);
        return new GetResult(_best, _holders)
        {
            FirstRecord = _first,
            FirstFoundAfter = _firstAfter,
            Succeeded = _best is not null,
            MessagesSent = MessagesSent,
            Duration = now - StartedAt,
            Hops = last?.Depth ?? 0,
            Path = PathTo(last),
        };
    }

    /// <summary>The closest node that answered without the best value (or with an older sequence).</summary>
    private NodeInfo? CacheTarget()
    {
        var bestSequence = _best is MutableRecord m ? m.Sequence : 0;
        foreach (var candidate in Lookup.Answered)
        {
            if (!_sequenceOf.TryGetValue(candidate.Node.Id, out var held) || (_kind == RecordKind.Mutable && held < bestSequence))
            {
                return candidate.Node;
            }
        }

        return null;
    }
}
