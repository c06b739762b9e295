using Kademlia.Identity;
using Kademlia.Lookup;
using Kademlia.Records;
using Kademlia.Routing;
using Kademlia.Wire;

namespace Kademlia.Engine.Internal;

/// <summary>
/// FIND_PROVIDERS: a lookup with GET_PROVIDERS requests that reports each valid provider as soon as
/// it arrives and ends when the lookup does or enough providers were found.
/// </summary>
internal sealed class FindProvidersQuery : EngineQuery
{
    private readonly int _maxProviders;
    private readonly List<ProviderRecord> _providers = [];
    private readonly HashSet<NodeId> _seen = [];
    private LookupCandidate? _firstHolder;
    private NodeId? _firstHolderId;

    public FindProvidersQuery(QueryId id, DateTimeOffset now, IQueryContext context, NodeId topic, int maxProviders, IEnumerable<ProviderRecord> local)
        : base(id, now, context)
    {
        _maxProviders = maxProviders;
        Lookup = StartLookup(topic, now);
        LookupTarget = topic;
        foreach (var provider in local)
        {
            Accept(provider);
        }
    }

    public DisjointLookup Lookup { get; }

    public override QueryStep Next(DateTimeOffset now) =>
        FromLookup(Lookup.Next(now), _ => new GetProvidersRequest(Context.NewRequestId(), Lookup.Target));

    public override void OnResponse(NodeInfo peer, Message response, DateTimeOffset now)
    {
        if (response is not ProvidersResponse answer)
        {
            Context.ReportInvalidAnswer(peer.Id, now);
            Lookup.OnFailure(peer.Id);
            return;
        }

        var invalid = false;
        foreach (var provider in answer.Providers)
        {
            if (provider.VerifyFor(Lookup.Target) != RecordError.None || !provider.Provider.MeetsProofOfWork(Context.Options.Network))
            {
                invalid = true;
                continue;
            }

            if (Accept(provider) && _firstHolderId is null)
            {
                _firstHolderId = peer.Id;
            }
        }

        if (invalid)
        {
            Context.ReportInvalidAnswer(peer.Id, now);
        }

        Lookup.OnSuccess(peer.Id, Context.ValidContacts(answer.CloserContacts, out _), now);
        _firstHolder ??= _firstHolderId == peer.Id ? Lookup.Answered.FirstOrDefault(c => c.Node.Id == peer.Id) : null;
        if (_providers.Count >= _maxProviders)
        {
            Lookup.Stop();
        }
    }

    public override void OnFailure(NodeId peer, ulong requestId, DateTimeOffset now) => Lookup.OnFailure(peer);

    public override QueryResult BuildResult(DateTimeOffset now) => new FindProvidersResult(_providers)
    {
        Succeeded = _providers.Count > 0,
        MessagesSent = MessagesSent,
        Duration = now - StartedAt,
        Hops = _firstHolder?.Depth ?? Lookup.Hops,
        Path = PathTo(_firstHolder),
    };

    private bool Accept(ProviderRecord provider)
    {
        if (!_seen.Add(provider.Provider.Id))
        {
            return false;
        }

        _providers.Add(provider);
        Context.Emit(new ProviderFound(Id, provider));
        return true;
    }
}
