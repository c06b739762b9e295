using System.Net;
using Kademlia.Engine.Internal;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Routing;
using Kademlia.Sessions;
using Kademlia.Wire;

namespace Kademlia.Engine;

/// <content>Operations: each starts a query, driven until it waits; its result arrives as <see cref="QueryFinished"/>.</content>
public sealed partial class KademliaEngine
{
    /// <summary>Most requests one query may send in one step, a guard against a runaway state machine.</summary>
    private const int MaxSendsPerDrive = 256;

    /// <summary>Finished pings kept for reuse: enough for a host that keeps this many in flight.</summary>
    private const int MaxSparePings = 256;

    /// <summary>
    /// Joins the network: pings the seeds (IK for <paramref name="seeds"/>, whose keys are known; XX for
    /// <paramref name="addresses"/>, known only by address), looks up our own ID, then refreshes every
    /// bucket. Finishes with a <see cref="BootstrapResult"/>.
    /// </summary>
    public QueryId Bootstrap(DateTimeOffset now, IEnumerable<NodeInfo> seeds, IEnumerable<EndPoint>? addresses = null)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        var known = seeds.ToArray();
        var unkeyed = (addresses ?? []).ToArray();
        _jobs.RememberSeeds(known, unkeyed);
        return Start(now, id => new BootstrapQuery(id, now, this, known, unkeyed, _random ?? new Random((int)NewRequestId())));
    }

    /// <summary>Pings a node whose contact we know. Finishes with a <see cref="PingResult"/>.</summary>
    public QueryId Ping(DateTimeOffset now, NodeInfo peer) => StartPing(now, peer, reportsCompletion: false);

    /// <summary>
    /// Pings a node whose contact we know and reports the outcome as a <see cref="PingCompletion"/> (read
    /// with <see cref="PollPingCompletion"/>) instead of a <see cref="QueryFinished"/> event: on an
    /// established session the whole round trip then allocates nothing, for a host that pings at a high rate.
    /// </summary>
    public QueryId PingWithCompletion(DateTimeOffset now, NodeInfo peer) => StartPing(now, peer, reportsCompletion: true);

    /// <summary>Takes the outcome of a finished <see cref="PingWithCompletion"/> ping; false when none is waiting.</summary>
    public bool PollPingCompletion(out PingCompletion completion) => _pingCompletions.TryDequeue(out completion);

    private QueryId StartPing(DateTimeOffset now, NodeInfo peer, bool reportsCompletion)
    {
        var id = NextQueryId();
        if (_sparePings.TryPop(out var ping))
        {
            ping.Reuse(id, now, peer);
        }
        else
        {
            ping = new PingQuery(id, now, this, peer);
        }

        ping.ReportsCompletion = reportsCompletion;
        return Start(now, ping);
    }

    /// <summary>Pings a node known only by its address (XX handshake). Finishes with a <see cref="PingResult"/>.</summary>
    public QueryId Ping(DateTimeOffset now, EndPoint address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return Start(now, id => new PingQuery(id, now, this, address));
    }

    /// <summary>Finds the k closest nodes to <paramref name="target"/>. Finishes with a <see cref="FindNodeResult"/>.</summary>
    public QueryId FindNode(DateTimeOffset now, NodeId target) => Start(now, id => new FindNodeQuery(id, now, this, target));

    /// <summary>
    /// Stores <paramref name="record"/> on the k closest nodes to its key (and here), and republishes it
    /// every <see cref="NetworkParameters.RepublishInterval"/>. With <paramref name="expectedSequence"/>,
    /// a mutable record is stored only where the current sequence is that one (compare-and-swap).
    /// Finishes with a <see cref="StoreResult"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The record is larger than the network allows or its signature fails.</exception>
    public QueryId Put(DateTimeOffset now, ValueRecord record, ulong? expectedSequence = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Value.Length > _options.Network.MaxValueSize)
        {
            throw new ArgumentException($"The value is {record.Value.Length} bytes; this network allows {_options.Network.MaxValueSize}.", nameof(record));
        }

        if (record.Verify() != RecordError.None)
        {
            throw new ArgumentException("The record's signature does not verify.", nameof(record));
        }

        Store.Put(record, Self, now, now + _options.Network.RecordTtl, expectedSequence);
        _jobs.Publish(record, now);
        _events.Enqueue(new PublishedChanged(_jobs.OwnCount));
        return StartStore(now, record, expectedSequence, _options.Network.RecordTtl, reported: true);
    }

    /// <summary>
    /// Finds the value under <paramref name="key"/>: the first valid copy of an immutable record, the
    /// highest valid sequence of a mutable one. Finishes with a <see cref="GetResult"/>.
    /// </summary>
    public QueryId Get(DateTimeOffset now, NodeId key, RecordKind kind)
    {
        var local = Store.Get(key, now)?.Record;
        return Start(now, id => new GetQuery(id, now, this, key, kind, local?.Kind == kind ? local : null));
    }

    /// <summary>
    /// Announces this node as a provider of <paramref name="topic"/> (with optional
    /// <paramref name="applicationData"/>, up to 128 bytes) on the k closest nodes, and republishes the
    /// announcement. Finishes with a <see cref="StoreResult"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No advertised endpoint is set.</exception>
    public QueryId Announce(DateTimeOffset now, NodeId topic, ReadOnlySpan<byte> applicationData = default)
    {
        if (ReachableEndpoint.IsUnspecified)
        {
            throw new InvalidOperationException(
                "This node knows no endpoint others can reach it at yet: set EngineOptions.AdvertisedEndpoint (kad node --advertise), " +
                "or announce once peers from distinct networks have reported the endpoint they see (ExternalAddressChanged).");
        }

        var data = applicationData.ToArray();
        _jobs.Announce(topic, data, now);
        _events.Enqueue(new PublishedChanged(_jobs.OwnCount));
        return StartAnnounce(now, topic, data, reported: true);
    }

    /// <summary>
    /// Finds providers of <paramref name="topic"/>, reporting each as a <see cref="ProviderFound"/> event
    /// as it arrives. Finishes with a <see cref="FindProvidersResult"/>.
    /// </summary>
    public QueryId FindProviders(DateTimeOffset now, NodeId topic, int maxProviders = 100)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxProviders, 1);
        var local = Store.GetProviders(topic, now, maxProviders);
        return Start(now, id => new FindProvidersQuery(id, now, this, topic, maxProviders, local));
    }

    /// <summary>
    /// Whether to report each answered or failed request of an operation's lookup as a
    /// <see cref="LookupStepped"/> event. Off by default: a host turns it on while something draws lookups
    /// as they happen, and the engine then queues one event per answer.
    /// </summary>
    public bool ReportLookupSteps { get; set; }

    /// <summary>Abandons an operation: no <see cref="QueryFinished"/> will be reported for it.</summary>
    public bool Cancel(QueryId query)
    {
        _wakeups.Remove(query);
        return _queries.Remove(query);
    }

    /// <summary>Stops republishing a record or announcement of ours.</summary>
    public bool Unpublish(NodeId keyOrTopic)
    {
        if (!_jobs.Unpublish(keyOrTopic))
        {
            return false;
        }

        _events.Enqueue(new PublishedChanged(_jobs.OwnCount));
        return true;
    }

    /// <summary>
    /// The values and announcements this node republishes (those of <see cref="Put"/> and
    /// <see cref="Announce"/> until <see cref="Unpublish"/>, and those restored), each with its next
    /// republish time: what a host saves, whenever <see cref="PublishedChanged"/> is reported, to
    /// <see cref="Restore"/> after a restart. A copy.
    /// </summary>
    public IReadOnlyList<PublishedRecord> Published => _jobs.Snapshot();

    /// <summary>
    /// Takes back what <see cref="Published"/> listed before a restart (call it before the first
    /// <see cref="HandleTimeout"/>): each is republished at its saved time, or within one
    /// <see cref="EngineOptions.MaintenanceInterval"/> of joining when that time has passed. Republishing
    /// waits for a contact in the routing table, and an announcement for an endpoint to advertise. A
    /// value the store no longer holds is put back in it with the lifetime its last publication gave it.
    /// Something published since the start is newer and kept; a value whose signature fails or that
    /// is too large for the network is left out.
    /// </summary>
    /// <returns>How many were taken back.</returns>
    public int Restore(DateTimeOffset now, IEnumerable<PublishedRecord> published)
    {
        ArgumentNullException.ThrowIfNull(published);
        var restored = 0;
        foreach (var item in published)
        {
            if (item.Value is { } value && (value.Value.Length > _options.Network.MaxValueSize || value.Verify() != RecordError.None))
            {
                continue;
            }

            if (!_jobs.Restore(item))
            {
                continue;
            }

            restored++;
            var expiresAt = item.NextRepublish - _options.Network.RepublishInterval + _options.Network.RecordTtl;
            if (item.Value is { } held && expiresAt > now && Store.Get(held.Key, now) is null)
            {
                Store.Put(held, Self, now, expiresAt);
            }
        }

        return restored;
    }

    private QueryId StartStore(DateTimeOffset now, ValueRecord record, ulong? expectedSequence, TimeSpan lifetime, bool reported)
    {
        var ttl = (uint)Math.Max(1, lifetime.TotalSeconds);
        return Start(now, id => new StoreQuery(id, now, this, record.Key, requestId => new PutRequest(requestId, record, ttl, expectedSequence), _options.Quorum) { Reported = reported });
    }

    private QueryId StartAnnounce(DateTimeOffset now, NodeId topic, byte[] applicationData, bool reported)
    {
        var published = _jobs.NextPublicationTime(topic, now);
        // A client names the public nodes it keeps sessions with, so that joiners can punch or relay to it.
        var record = ProviderRecord.Create(_identity, topic, ReachableEndpoint, published, applicationData, RendezvousPoints(now));
        Store.AddProvider(record, Self, now, now + _options.Network.RecordTtl);
        var ttl = (uint)_options.Network.RecordTtl.TotalSeconds;
        return Start(now, id => new StoreQuery(id, now, this, topic, requestId => new AddProviderRequest(requestId, record, ttl), _options.Quorum) { Reported = reported });
    }

    private QueryId Start(DateTimeOffset now, Func<QueryId, EngineQuery> create) => Start(now, create(NextQueryId()));

    private QueryId Start(DateTimeOffset now, EngineQuery query)
    {
        _queries[query.Id] = query;
        _queriesStarted++;
        query.WrongNetworkDropsAtStart = _drops.Of(SessionDropReason.WrongNetwork);
        Drive(now, query);
        return query.Id;
    }

    private QueryId NextQueryId() => new(++_nextQueryId);

    /// <summary>Runs a query until it waits or finishes.</summary>
    private void Drive(DateTimeOffset now, EngineQuery query)
    {
        for (var sends = 0; sends < MaxSendsPerDrive; sends++)
        {
            if (!_queries.ContainsKey(query.Id))
            {
                return;
            }
            var step = query.Next(now);
            switch (step.Kind)
            {
                case QueryStepKind.Send:
                    query.MessagesSent++;
                    SendRequest(now, query, RequestPurpose.Query, step);
                    continue;
                case QueryStepKind.Wait:
                    _wakeups.Schedule(query.Id, step.WakeAt);
                    return;
                default:
                    Finish(now, query);
                    return;
            }
        }

        _wakeups.Schedule(query.Id, now);
    }

    private void ReportStep(EngineQuery query, NodeId peer, MessageType request, TimeSpan? rtt)
    {
        if (ReportLookupSteps && query.Reported && query.LookupTarget is { } target)
        {
            _events.Enqueue(new LookupStepped(query.Id, target, peer, request, rtt));
        }
    }

    private void Finish(DateTimeOffset now, EngineQuery query)
    {
        _queries.Remove(query.Id);
        _wakeups.Remove(query.Id);
        if (query is PingQuery { ReportsCompletion: true } completed)
        {
            var completion = completed.Complete(now);
            _pingCompletions.Enqueue(completion with { Failure = completion.Succeeded ? OperationFailure.None : Silence(query) });
        }
        else if (query.Reported)
        {
            var result = query.BuildResult(now);
            _events.Enqueue(new QueryFinished(query.Id, result with { Failure = FailureOf(query, result) }));
        }

        if (query is ConnectQuery connect && _links.Count > 0)
        {
            OnLinkPunchFinished(now, connect);
        }

        // Nothing refers to a finished query by object (its requests name it by ID, and a new ping gets
        // a new ID), so it can serve the next ping.
        if (query is PingQuery ping && _sparePings.Count < MaxSparePings)
        {
            _sparePings.Push(ping);
        }
    }

    /// <summary>Why <paramref name="result"/> did not achieve what was asked, from its own facts and the engine's drops.</summary>
    private OperationFailure FailureOf(EngineQuery query, QueryResult result)
    {
        if (result.Succeeded)
        {
            return OperationFailure.None;
        }

        var nobodyAnswered = result.Path.Count == 0;
        return result switch
        {
            BootstrapResult { SeedsAnswered: 0 } => WrongNetworkSeen(query) ? OperationFailure.WrongNetwork : OperationFailure.NoSeedAnswered,
            BootstrapResult => OperationFailure.NoSeedAnswered,
            StoreResult store when store.Rejections.ContainsKey(PutStatus.CasMismatch) => OperationFailure.CasMismatch,
            StoreResult { Attempted: 0 } => WrongNetworkSeen(query) ? OperationFailure.WrongNetwork : OperationFailure.StoredLocallyOnly,
            StoreResult { Rejections.Count: > 0 } => OperationFailure.Refused,
            StoreResult => Silence(query),
            PingResult => Silence(query),
            AppRequestResult { Refusal: not null } => OperationFailure.Refused,
            AppRequestResult => Silence(query),
            ConnectResult => OperationFailure.Unreachable,
            _ when result.MessagesSent == 0 => OperationFailure.NoContacts,
            _ when nobodyAnswered => Silence(query),
            _ => OperationFailure.NotFound,
        };
    }

    /// <summary>Nobody answered: another network's packets arriving meanwhile name the likely cause.</summary>
    private OperationFailure Silence(EngineQuery query) => WrongNetworkSeen(query) ? OperationFailure.WrongNetwork : OperationFailure.Timeout;

    /// <summary>How long before a query's start another network's datagram still names the likely cause of its silence.</summary>
    private static readonly TimeSpan WrongNetworkLookback = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Another network's datagram arrived while the query ran, or shortly before it started: two nodes of
    /// different networks bootstrapping from each other at once may each receive the other's handshake
    /// before their own query begins, and that handshake is the only sign either will get.
    /// </summary>
    private bool WrongNetworkSeen(EngineQuery query) =>
        _drops.Of(SessionDropReason.WrongNetwork) > query.WrongNetworkDropsAtStart
        || (_lastWrongNetworkAt is { } last && last >= query.StartedAt - WrongNetworkLookback);
}
