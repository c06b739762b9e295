using System.Collections.Immutable;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Routing;
using Kademlia.Sessions;
using Kademlia.Wire;

namespace Kademlia.Engine;

/// <content>Serving: the answer to each request, packed to fit the packet that carries it.</content>
public sealed partial class KademliaEngine
{
    /// <summary>Provider records must not claim a publication time further ahead than this (clock skew).</summary>
    private static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(10);

    private Message Serve(DateTimeOffset now, NodeInfo peer, Message request, int maxSize) => request switch
    {
        PingRequest ping => new PongResponse(ping.RequestId, peer.Endpoint),
        FindNodeRequest find => NodesAnswer(find.RequestId, find.Target, maxSize),
        GetRequest get => ServeGet(now, get, maxSize),
        PutRequest put => new PutResultResponse(put.RequestId, ServePut(now, peer, put)),
        AddProviderRequest add => new PutResultResponse(add.RequestId, ServeAddProvider(now, peer, add)),
        GetProvidersRequest providers => ServeGetProviders(now, providers, maxSize),
        _ => new ErrorResponse(request.RequestId, ErrorCode.UnsupportedRequest),
    };

    private Message ServeGet(DateTimeOffset now, GetRequest get, int maxSize)
    {
        var stored = Store.Get(get.Key, now);
        if (stored is null || stored.Record.Kind != get.Kind
            || (get.MinSequence is { } min && stored.Record is MutableRecord mutable && mutable.Sequence < min))
        {
            return NodesAnswer(get.RequestId, get.Key, maxSize);
        }

        var room = maxSize - MessageCodec.GetByteCount(new ValueResponse(get.RequestId, stored.Record, []));
        if (room < 0)
        {
            // Only inside a first handshake message whose initiator padded too little for the 3x rule:
            // the session now exists, so the requester can ask again on it.
            return new ErrorResponse(get.RequestId, ErrorCode.AnswerTooLarge);
        }

        return new ValueResponse(get.RequestId, stored.Record, ContactsThatFit(get.Key, room));
    }

    private PutStatus ServePut(DateTimeOffset now, NodeInfo peer, PutRequest put)
    {
        var record = put.Record;
        if (record.Value.Length > _options.Network.MaxValueSize)
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

        var error = Store.Put(record, peer.Id, now, now + Ttl(put.TtlSeconds), put.ExpectedSequence);
        if (error == StoreError.None)
        {
            _events.Enqueue(new RecordStored(record.Key, peer.Id, IsProvider: false));
        }

        return ToStatus(error);
    }

    private PutStatus ServeAddProvider(DateTimeOffset now, NodeInfo peer, AddProviderRequest add)
    {
        var record = add.Record;
        if (record.Verify() != RecordError.None || !record.Provider.MeetsProofOfWork(_options.Network))
        {
            return PutStatus.InvalidSignature;
        }

        var published = DateTimeOffset.FromUnixTimeSeconds((long)Math.Min(record.PublishedAtUnixSeconds, (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds()));
        if (published > now + MaxClockSkew || published + _options.Network.RecordTtl < now)
        {
            return PutStatus.InvalidTimestamp;
        }

        if (!IsAmongClosest(record.Topic))
        {
            return PutStatus.NotClosest;
        }

        var error = Store.AddProvider(record, peer.Id, now, now + Ttl(add.TtlSeconds));
        if (error == StoreError.None)
        {
            _events.Enqueue(new RecordStored(record.Topic, peer.Id, IsProvider: true));
        }

        return ToStatus(error);
    }

    private ProvidersResponse ServeGetProviders(DateTimeOffset now, GetProvidersRequest request, int maxSize)
    {
        var room = maxSize - MessageCodec.GetByteCount(new ProvidersResponse(request.RequestId, [], []));
        var providers = ImmutableArray.CreateBuilder<ProviderRecord>();
        // One answer holds at most 8 providers. Each node offers the 8 whose IDs are closest to its
        // own, so the nodes a lookup visits offer different subsets and a popular topic is covered
        // (with 20 answering nodes, a given provider of 10 is left out by all with odds of 0.2^20).
        var ordered = Store.GetProviders(request.Topic, now, int.MaxValue).OrderBy(p => p.Provider.Id ^ Self);
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
        var closest = Routing.FindClosest(target, Math.Min(_options.Network.K, WireLimits.MaxContacts));
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

    /// <summary>
    /// Whether we are close enough to <paramref name="key"/> to hold it: fewer than
    /// <see cref="EngineOptions.StoreAcceptanceFactor"/>·k known nodes are closer. The slack admits the
    /// caching of a GET, which stores one hop short of the closest nodes.
    /// </summary>
    private bool IsAmongClosest(NodeId key)
    {
        var limit = _options.StoreAcceptanceFactor * _options.Network.K;
        var closer = 0;
        foreach (var contact in Routing.FindClosest(key, limit))
        {
            if (key.CompareDistance(contact.Id, Self) < 0 && ++closer >= limit)
            {
                return false;
            }
        }

        return true;
    }

    private TimeSpan Ttl(uint requestedSeconds)
    {
        var max = _options.Network.RecordTtl;
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

    /// <summary>Sends an answer: inside handshake message 2 for an IK first request, else on the session.</summary>
    private void Answer(DateTimeOffset now, NodeInfo peer, PeerKey key, HandshakeToken? handshake, Message answer)
    {
        if (!MessageCodec.TryWrite(_plain, answer, out var length))
        {
            return;
        }

        var sealedAnswer = handshake is { } token
            ? _sessions.Respond(now, token, _plain.AsSpan(0, length), _packet)
            : _sessions.SealTo(now, key, _plain.AsSpan(0, length), _packet);
        if (sealedAnswer.Status == SealStatus.Sealed)
        {
            Emit(sealedAnswer.EndPoint ?? peer.Endpoint.ToIPEndPoint(), _packet.AsSpan(0, sealedAnswer.Length));
        }
        else
        {
            CountDrop("engine.AnswerNotSent." + sealedAnswer.Status);
        }
    }
}
