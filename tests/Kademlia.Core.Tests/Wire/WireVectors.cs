using System.Collections.Immutable;
using System.Net;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Routing;
using Kademlia.Wire;

namespace Kademlia.Tests.Wire;

/// <summary>
/// The fixed inputs of the published test vectors (docs/PROTOCOL.md, "Test vectors"). Keys come from
/// the RFC 8032 Ed25519 test seeds, so another implementation can rebuild every byte.
/// </summary>
internal static class WireVectors
{
    /// <summary>RFC 8032 section 7.1, TEST 1.</summary>
    public const string SeedA = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

    /// <summary>RFC 8032 section 7.1, TEST 2.</summary>
    public const string SeedB = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";

    public const ulong NonceA = 0x0102030405060708;
    public const ulong NonceB = 7;
    public const ulong RequestId = 0x0123456789ABCDEF;

    /// <summary>2026-01-01T00:00:00Z.</summary>
    public const ulong PublishedAt = 1_767_225_600;

    public static readonly NodeIdentity A = NodeIdentity.FromPrivateSeed(Convert.FromHexString(SeedA), NonceA);
    public static readonly NodeIdentity B = NodeIdentity.FromPrivateSeed(Convert.FromHexString(SeedB), NonceB);

    public static readonly NodeEndpoint EndpointA = new(IPAddress.Parse("192.0.2.1"), 6881);
    public static readonly NodeEndpoint EndpointB = new(IPAddress.Parse("2001:db8::1"), 6881);
    public static readonly NodeEndpoint Observed = new(IPAddress.Parse("198.51.100.7"), 50000);

    public static readonly WireContact ContactA = WireContact.FromNodeInfo(NodeInfo.Of(A, EndpointA));
    public static readonly WireContact ContactB = WireContact.FromNodeInfo(NodeInfo.Of(B, EndpointB));

    public static readonly ImmutableRecord Immutable = ImmutableRecord.Create("hello, kademlia"u8);

    public static readonly MutableRecord Mutable = MutableRecord.Create(A, "foobar"u8, 1, "Hello World!"u8);

    public static readonly NodeId Topic = NodeId.Hash("game:poker"u8);

    public static readonly ProviderRecord Provider =
        ProviderRecord.Create(B, Topic, EndpointB, PublishedAt, "table 7: 4/6 seats, blinds 1/2"u8);

    /// <summary>The provider record of B behind a NAT (at the observed endpoint) with A as its one rendezvous point.</summary>
    public static readonly ProviderRecord ProviderWithRendezvous =
        ProviderRecord.Create(B, Topic, Observed, PublishedAt, "table 7: 4/6 seats, blinds 1/2"u8, [ContactA]);

    /// <summary>Every message vector, by the name it has in Vectors/wire-messages.json.</summary>
    public static IEnumerable<(string Name, Message Message)> Messages()
    {
        yield return ("ping", new PingRequest(RequestId));
        yield return ("find_node", new FindNodeRequest(RequestId, B.Id));
        yield return ("get_immutable", new GetRequest(RequestId, Immutable.Key, RecordKind.Immutable));
        yield return ("get_mutable", new GetRequest(RequestId, Mutable.Key, RecordKind.Mutable));
        yield return ("get_mutable_min_sequence", new GetRequest(RequestId, Mutable.Key, RecordKind.Mutable, 1));
        yield return ("put_immutable", new PutRequest(RequestId, Immutable, 7200));
        yield return ("put_mutable", new PutRequest(RequestId, Mutable, 7200));
        yield return ("put_mutable_cas", new PutRequest(RequestId, Mutable, 7200, 0));
        yield return ("add_provider", new AddProviderRequest(RequestId, Provider, 3600));
        yield return ("get_providers", new GetProvidersRequest(RequestId, Topic));
        yield return ("pong_ipv4", new PongResponse(RequestId, Observed));
        yield return ("pong_ipv6", new PongResponse(RequestId, EndpointB));
        yield return ("nodes_empty", new NodesResponse(RequestId, []));
        yield return ("nodes", new NodesResponse(RequestId, [ContactA, ContactB]));
        yield return ("value_immutable", new ValueResponse(RequestId, Immutable, [ContactB]));
        yield return ("value_mutable", new ValueResponse(RequestId, Mutable, []));
        yield return ("put_result_stored", new PutResultResponse(RequestId, PutStatus.Stored));
        yield return ("put_result_cas_mismatch", new PutResultResponse(RequestId, PutStatus.CasMismatch));
        yield return ("providers", new ProvidersResponse(RequestId, [Provider], [ContactA]));
        yield return ("error_rate_limited", new ErrorResponse(RequestId, ErrorCode.RateLimited));
        yield return ("probe", new ProbeRequest(RequestId));
        yield return ("probe_forward", new ProbeForwardRequest(RequestId, 0xfedcba9876543210, WireContact.FromNodeInfo(NodeInfo.Of(A, Observed))));
        yield return ("probe_dial", new ProbeDialRequest(RequestId, 0xfedcba9876543210));
        yield return ("probe_ack_forwarded", new ProbeAckResponse(RequestId, ProbeStatus.Forwarded));
        yield return ("app_request", new AppRequest(RequestId, "lobby/1", "join table 7"u8));
        yield return ("app_datagram", new AppDatagram(RequestId, "game.poker/2", "bet 20"u8));
        yield return ("app_datagram_empty", new AppDatagram(RequestId, "k", []));
        yield return ("app_response", new AppResponse(RequestId, "seat 3"u8));
        yield return ("punch_request", new PunchRequest(RequestId, B.Id));
        yield return ("punch_notify", new PunchNotifyRequest(RequestId, WireContact.FromNodeInfo(NodeInfo.Of(A, Observed))));
        yield return ("punch_ack_notified", new PunchAckResponse(RequestId, PunchStatus.Notified, WireContact.FromNodeInfo(NodeInfo.Of(B, EndpointB))));
        yield return ("punch_ack_unproven", new PunchAckResponse(RequestId, PunchStatus.Unproven));
        yield return ("relay_send", new RelayFrame(RequestId, B.Id, "opaque packet"u8, delivered: false));
        yield return ("relay_deliver", new RelayFrame(RequestId, A.Id, "opaque packet"u8, delivered: true));
        yield return ("add_provider_rendezvous", new AddProviderRequest(RequestId, ProviderWithRendezvous, 3600));
        yield return ("error_no_such_channel", new ErrorResponse(RequestId, ErrorCode.NoSuchChannel));
    }

    /// <summary>Record-level values: keys, signed bytes and signatures.</summary>
    public static IEnumerable<(string Name, byte[] Bytes)> RecordValues()
    {
        yield return ("public_key_a", A.PublicKey.ToArray());
        yield return ("public_key_b", B.PublicKey.ToArray());
        yield return ("immutable_key", Immutable.Key.ToArray());
        yield return ("mutable_key", Mutable.Key.ToArray());
        yield return ("mutable_signed_bytes", Mutable.GetSignedBytes());
        yield return ("mutable_signature", Mutable.Signature.ToArray());
        yield return ("provider_topic", Topic.ToArray());
        yield return ("provider_signed_bytes", Provider.GetSignedBytes());
        yield return ("provider_signature", Provider.Signature.ToArray());
        yield return ("provider_rendezvous_signed_bytes", ProviderWithRendezvous.GetSignedBytes());
        yield return ("provider_rendezvous_signature", ProviderWithRendezvous.Signature.ToArray());
    }
}
