using System.Collections.Immutable;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Routing;
using Kademlia.Wire;

namespace Kademlia.Engine.Internal;

/// <summary>
/// The answer to each request a node serves, packed to fit the room it is given: what it admits to its
/// store (signatures, sizes, time bounds, whether it is among the closest), what it returns (values,
/// providers, the closest contacts that fit). Reads the routing table, writes the store, sends nothing.
/// </summary>
internal sealed class ServingRules(NodeId self, EngineOptions options, RoutingTable routing, IRecordStore store)
{
    /// <summary>Provider records must not claim a publication time further ahead than this (clock skew).</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The answer to <paramref name="request"/> from <paramref name="peer"/>, at most
    /// <paramref name="maxSize"/> bytes encoded; <paramref name="stored"/> names what it stored, if anything.
    /// </summary>
    public Message Serve(DateTimeOffset now, NodeInfo peer, Message request, int maxSize, out RecordStored? stored)
    {
        stored = null;
        switch (request)
        {
            case PingRequest ping:
                return new PongResponse(ping.RequestId, peer.Endpoint);
            case FindNodeRequest find:
                return NodesAnswer(find.RequestId, find.Target, maxSize);
            case GetRequest get:
                return ServeGet(now, get, maxSize);
            case PutRequest put:
                var putStatus = ServePut(now, peer, put);
                stored = putStatus == PutStatus.Stored ? new RecordStored(put.Record.Key, peer.Id, IsProvider: false) : null;
                return new PutResultResponse(put.RequestId, putStatus);
            case AddProviderRequest add:
                var addStatus = ServeAddProvider(now, peer, add);
                stored = addStatus == PutStatus.Stored ? new RecordStored(add.Record.Topic, peer.Id, IsProvider: true) : null;
                return new PutResultResponse(add.RequestId, addStatus);
            case GetProvidersRequest providers:
                return ServeGetProviders(now, providers, maxSize);
            default:
                return new ErrorResponse(request.RequestId, ErrorCode.UnsupportedRequest);
        }
    }

    /// <summary>
    /// Whether we are close enough to <paramref name="key"/> to hold it: fewer than
    /// <see cref="EngineOptions.StoreAcceptanceFactor"/>·k known nodes are closer. The slack admits the
    /// caching of a GET, which stores one hop short of the closest nodes.
    /// </summary>
    public bool IsAmongClosest(NodeId key)
    {
        var limit = options.StoreAcceptanceFactor * options.Network.K;
        var closer = 0;
        foreach (var contact in routing.FindClosest(key, limit))
        {
            if (key.CompareDistance(contact.Id, self) < 0 && ++closer >= limit)
            {
                return false;
            }
        }

        return true;
    }

    private Message ServeGet(DateTimeOffset now, GetRequest get, int maxSize)
    {
        var held = store.Get(get.Key, now);
        if (held is null || held.Record.Kind != get.Kind
            || (get.MinSequence is { } min && held.Record is MutableRecord mutable && mutable.Sequence < min))
        {
            return NodesAnswer(get.RequestId, get.Key, maxSize);
        }

        var room = maxSize - MessageCodec.GetByteCount(new ValueResponse(get.RequestId, held.Record, []));
        if (room < 0)
        {
            // Only inside a first handshake message whose initiator padded too little for the 3x rule:
            // the session now exists, so the requester can ask again on it.
            return new ErrorResponse(get.RequestId, ErrorCode.AnswerTooLarge);
        }

        return new ValueResponse(get.RequestId, held.Record, ContactsThatFit(get.Key, room));
    }

    private PutStatus ServePut(DateTimeOffset now, NodeInfo peer, PutRequest put)
    {
        var record = put.Record;
        if (record.Value.Length > options.Network.MaxValueSize)
        {
            return PutStatus.TooLarge;
        }

        if (record.Verify() != RecordError.None)
        {
            return PutStatus.InvalidSignature;
        }

        if (!IsAmongClosest(record.Key))
        {
            return PutStatus.NotClosest;
        }

        return ToStatus(store.Put(record, SourceOf(peer), now, now + Ttl(put.TtlSeconds), put.ExpectedSequence));
    }

    private PutStatus ServeAddProvider(DateTimeOffset now, NodeInfo peer, AddProviderRequest add)
    {
        var record = add.Record;
        if (record.Verify() != RecordError.None || !record.Provider.MeetsProofOfWork(options.Network))
        {
            return PutStatus.InvalidSignature;
        }

        var published = DateTimeOffset.FromUnixTimeSeconds((long)Math.Min(record.PublishedAtUnixSeconds, (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds()));
        if (published > now + MaxClockSkew || published + options.Network.RecordTtl < now)
        {
            return PutStatus.InvalidTimestamp;
        }

        // An endpoint no one can reach is useless to a searcher and, listed by the hundred, a way to
        // crowd a topic or to point searchers at a victim.
        var endpoint = record.Provider.Endpoint;
        if (endpoint.IsUnspecified || (!endpoint.IsRoutable && !(endpoint.IsLoopback && options.Network.ExemptLoopbackFromDiversityLimits)))
        {
            return PutStatus.InvalidEndpoint;
        }

        if (!IsAmongClosest(record.Topic))
        {
            return PutStatus.NotClosest;
        }

        return ToStatus(store.AddProvider(record, SourceOf(peer), now, now + Ttl(add.TtlSeconds)));
    }

    /// <summary>
    /// The source a stored record is counted against: the peer and the prefix it spoke from (each
    /// loopback endpoint its own prefix on a test network, as the routing table's diversity limits).
    /// </summary>
    private RecordSource SourceOf(NodeInfo peer) =>
        RecordSource.ForPeer(peer.Id, peer.Endpoint, options.Network.ExemptLoopbackFromDiversityLimits);

    private ProvidersResponse ServeGetProviders(DateTimeOffset now, GetProvidersRequest request, int maxSize)
    {
        var room = maxSize - MessageCodec.GetByteCount(new ProvidersResponse(request.RequestId, [], []));
        var providers = ImmutableArray.CreateBuilder<ProviderRecord>();
        // One answer holds at most 8 providers. Each node offers the 8 whose IDs are closest to its
        // own, so the nodes a lookup visits offer different subsets and a popular topic is covered
        // (with 20 answering nodes, a given provider of 10 is left out by all with odds of 0.2^20).
        var ordered = store.GetProviders(request.Topic, now, int.MaxValue).OrderBy(p => p.Provider.Id ^ self);
        foreach (var provider in ordered)
        {
            if (providers.Count == WireLimits.MaxProviders)
            {
                break;
            }

            var size = MessageCodec.GetByteCount(provider);
            if (size > room)
            {
                break;
            }

            providers.Add(provider);
            room -= size;
        }

        return new ProvidersResponse(request.RequestId, providers.ToImmutable(), ContactsThatFit(request.Topic, room));
    }

    private NodesResponse NodesAnswer(ulong requestId, NodeId target, int maxSize) =>
        new(requestId, ContactsThatFit(target, maxSize - MessageCodec.GetByteCount(new NodesResponse(requestId, []))));

    /// <summary>The closest contacts to <paramref name="target"/> whose encodings fit <paramref name="room"/> bytes.</summary>
    private ImmutableArray<WireContact> ContactsThatFit(NodeId target, int room)
    {
        var closest = routing.FindClosest(target, Math.Min(options.Network.K, WireLimits.MaxContacts));
        var contacts = ImmutableArray.CreateBuilder<WireContact>(closest.Length);
        foreach (var contact in closest)
        {
            var wire = WireContact.FromNodeInfo(contact.ToNodeInfo());
            if (wire.EncodedSize > room)
            {
                break;
            }

            contacts.Add(wire);
            room -= wire.EncodedSize;
        }

        return contacts.ToImmutable();
    }

    private TimeSpan Ttl(uint requestedSeconds)
    {
        var max = options.Network.RecordTtl;
        return requestedSeconds == 0 || TimeSpan.FromSeconds(requestedSeconds) > max ? max : TimeSpan.FromSeconds(requestedSeconds);
    }

    private static PutStatus ToStatus(StoreError error) => error switch
    {
        StoreError.None => PutStatus.Stored,
        StoreError.TooLarge => PutStatus.TooLarge,
        StoreError.StaleSequence => PutStatus.StaleSequence,
        StoreError.SequenceMismatch => PutStatus.CasMismatch,
        _ => PutStatus.QuotaExceeded,
    };
}
