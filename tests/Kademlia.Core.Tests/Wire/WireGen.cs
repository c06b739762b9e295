using System.Collections.Immutable;
using CsCheck;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Routing;
using Kademlia.Wire;

namespace Kademlia.Tests.Wire;

/// <summary>CsCheck generators of valid messages. Signatures are random bytes: the codec never checks them.</summary>
internal static class WireGen
{
    public static readonly Gen<NodeEndpoint> Endpoint = Gen.OneOf(
        Gen.Select(Gen.UInt, Gen.UShort, NodeEndpoint.FromIPv4),
        Gen.Select(Gen.Byte.Array[16], Gen.UShort, (address, port) => NodeEndpoint.FromIPv6(address, port)));

    public static readonly Gen<NodeId> Id = Gen.Byte.Array[NodeId.Size].Select(bytes => new NodeId(bytes));

    public static readonly Gen<NodePublicKey> Key = Gen.Byte.Array[NodePublicKey.Size].Select(bytes => new NodePublicKey(bytes));

    public static readonly Gen<WireContact> Contact = Gen.Select(Key, Gen.ULong, Endpoint, (key, nonce, endpoint) => new WireContact(key, nonce, endpoint));

    public static readonly Gen<ImmutableArray<WireContact>> Contacts =
        Contact.Array[0, WireLimits.MaxContacts].Select(ImmutableArray.Create);

    /// <summary>Small values most of the time, with the limits themselves well represented.</summary>
    public static Gen<byte[]> Bytes(int max) => Gen.OneOf(Gen.Byte.Array[0, 16], Gen.Byte.Array[0, max], Gen.Byte.Array[max]);

    public static readonly Gen<byte[]> Signature = Gen.Byte.Array[RecordLimits.SignatureSize];

    public static readonly Gen<ImmutableRecord> Immutable = Bytes(RecordLimits.MaxValueSize).Select(v => ImmutableRecord.Create(v));

    public static readonly Gen<MutableRecord> Mutable = Gen.Select(
        Key, Bytes(RecordLimits.MaxSaltSize), Gen.ULong, Bytes(RecordLimits.MaxValueSize), Signature,
        (key, salt, seq, value, signature) => new MutableRecord(key, salt, seq, value, signature));

    public static readonly Gen<ValueRecord> Record = Gen.OneOf(Immutable.Select(r => (ValueRecord)r), Mutable.Select(r => (ValueRecord)r));

    public static readonly Gen<ProviderRecord> Provider = Gen.Select(
        Id, Contact, Gen.ULong, Bytes(RecordLimits.MaxApplicationDataSize), Signature,
        Contact.Where(c => !c.Endpoint.IsUnspecified).Array[0, RecordLimits.MaxRendezvous],
        (topic, contact, time, data, signature, rendezvous) => new ProviderRecord(topic, contact.ToNodeInfo(), time, data, signature, [.. rendezvous]));

    public static readonly Gen<Message> Ping = Gen.ULong.Select(id => (Message)new PingRequest(id));

    public static readonly Gen<Message> FindNode = Gen.Select(Gen.ULong, Id, (id, target) => (Message)new FindNodeRequest(id, target));

    public static readonly Gen<Message> Get = Gen.OneOf(
        Gen.Select(Gen.ULong, Id, (id, key) => (Message)new GetRequest(id, key, RecordKind.Immutable)),
        Gen.Select(Gen.ULong, Id, Gen.ULong.Nullable(), (id, key, min) => (Message)new GetRequest(id, key, RecordKind.Mutable, min)));

    public static readonly Gen<Message> Put = Gen.OneOf(
        Gen.Select(Gen.ULong, Immutable, Gen.UInt, (id, record, ttl) => (Message)new PutRequest(id, record, ttl)),
        Gen.Select(Gen.ULong, Mutable, Gen.UInt, Gen.ULong.Nullable(), (id, record, ttl, cas) => (Message)new PutRequest(id, record, ttl, cas)));

    public static readonly Gen<Message> AddProvider = Gen.Select(Gen.ULong, Provider, Gen.UInt, (id, record, ttl) => (Message)new AddProviderRequest(id, record, ttl));

    public static readonly Gen<Message> GetProviders = Gen.Select(Gen.ULong, Id, (id, topic) => (Message)new GetProvidersRequest(id, topic));

    public static readonly Gen<Message> Pong = Gen.Select(Gen.ULong, Endpoint, (id, endpoint) => (Message)new PongResponse(id, endpoint));

    public static readonly Gen<Message> Nodes = Gen.Select(Gen.ULong, Contacts, (id, contacts) => (Message)new NodesResponse(id, contacts));

    public static readonly Gen<Message> Value = Gen.Select(Gen.ULong, Record, Contacts, (id, record, contacts) =>
    {
        var size = MessageCodec.GetByteCount(new ValueResponse(id, record, []));
        return (Message)new ValueResponse(id, record, TakeWhileFits(contacts, ref size));
    });

    public static readonly Gen<Message> PutResult = Gen.Select(Gen.ULong, Gen.Enum<PutStatus>(), (id, status) => (Message)new PutResultResponse(id, status));

    public static readonly Gen<Message> Providers = Gen.Select(Gen.ULong, Provider.Array[0, WireLimits.MaxProviders], Contacts, (id, providers, contacts) =>
    {
        var size = MessageCodec.GetByteCount(new ProvidersResponse(id, [], []));
        var fitting = ImmutableArray.CreateBuilder<ProviderRecord>();
        foreach (var provider in providers)
        {
            var grown = size + MessageCodec.GetByteCount(provider);
            if (grown > WireLimits.MaxMessageSize)
            {
                break;
            }

            fitting.Add(provider);
            size = grown;
        }

        return (Message)new ProvidersResponse(id, fitting.ToImmutable(), TakeWhileFits(contacts, ref size));
    });

    public static readonly Gen<Message> Error = Gen.Select(Gen.ULong, Gen.Enum<ErrorCode>(), (id, code) => (Message)new ErrorResponse(id, code));

    public static readonly Gen<Message> Probe = Gen.OneOf(
        Gen.ULong.Select(id => (Message)new ProbeRequest(id)),
        Gen.Select(Gen.ULong, Gen.ULong, Contact, (id, nonce, asker) => (Message)new ProbeForwardRequest(id, nonce, asker)),
        Gen.Select(Gen.ULong, Gen.ULong, (id, nonce) => (Message)new ProbeDialRequest(id, nonce)),
        Gen.Select(Gen.ULong, Gen.Enum<ProbeStatus>(), (id, status) => (Message)new ProbeAckResponse(id, status)));

    /// <summary>Channel names of printable ASCII, one byte to the longest.</summary>
    public static readonly Gen<string> Channel = Gen.OneOf(
        Gen.Char['!', '~'].Array[1, AppChannel.MaxLength].Select(chars => new string(chars)),
        Gen.Char['!', '~'].Array[AppChannel.MaxLength].Select(chars => new string(chars)));

    public static readonly Gen<Message> App = Gen.OneOf(
        Gen.Select(Gen.ULong, Channel, Bytes(WireLimits.MaxAppPayload), (id, channel, payload) => (Message)new AppRequest(id, channel, payload)),
        Gen.Select(Gen.ULong, Channel, Bytes(WireLimits.MaxAppPayload), (id, channel, payload) => (Message)new AppDatagram(id, channel, payload)),
        Gen.Select(Gen.ULong, Bytes(WireLimits.MaxAppPayload), (id, payload) => (Message)new AppResponse(id, payload)));

    public static readonly Gen<Message> Punch = Gen.OneOf(
        Gen.Select(Gen.ULong, Id, (id, target) => (Message)new PunchRequest(id, target)),
        Gen.Select(Gen.ULong, Contact, (id, requester) => (Message)new PunchNotifyRequest(id, requester)),
        Gen.Select(Gen.ULong, Gen.Enum<PunchStatus>(), Contact.Nullable(), (id, status, target) => (Message)new PunchAckResponse(id, status, target)));

    public static readonly Gen<Message> Relay = Gen.Select(
        Gen.ULong, Id, Bytes(WireLimits.MaxRelayedPacket), Gen.Bool, (id, peer, packet, delivered) => (Message)new RelayFrame(id, peer, packet, delivered));

    public static readonly Gen<Message> Any = Gen.OneOf(Ping, FindNode, Get, Put, AddProvider, GetProviders, Pong, Nodes, Value, PutResult, Providers, Error, Probe, App, Punch, Relay);

    private static ImmutableArray<WireContact> TakeWhileFits(ImmutableArray<WireContact> contacts, ref int size)
    {
        var builder = ImmutableArray.CreateBuilder<WireContact>();
        foreach (var contact in contacts)
        {
            if (size + contact.EncodedSize > WireLimits.MaxMessageSize)
            {
                break;
            }

            builder.Add(contact);
            size += contact.EncodedSize;
        }

        return builder.ToImmutable();
    }
}
