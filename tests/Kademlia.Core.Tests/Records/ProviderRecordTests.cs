using System.Net;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Routing;
using Kademlia.Tests.Wire;

namespace Kademlia.Tests.Records;

public class ProviderRecordTests
{
    private static readonly NodeIdentity Provider = WireVectors.B;
    private static readonly NodeId Topic = NodeId.Hash("game:poker"u8);
    private static readonly NodeEndpoint Endpoint = new(IPAddress.Parse("2001:db8::1"), 6881);

    [Theory]
    [InlineData("192.0.2.1", 0)]
    [InlineData("2001:db8::1", 128)]
    public void A_created_record_verifies_for_its_topic(string address, int dataLength)
    {
        var endpoint = new NodeEndpoint(IPAddress.Parse(address), 4000);
        var record = ProviderRecord.Create(Provider, Topic, endpoint, 1_767_225_600, new byte[dataLength]);
        Assert.Equal(RecordError.None, record.Verify());
        Assert.Equal(RecordError.None, record.VerifyFor(Topic));
        Assert.Equal(RecordError.KeyMismatch, record.VerifyFor(NodeId.Zero));
        Assert.Equal(Provider.Id, record.Provider.Id);
        Assert.Equal(endpoint, record.Provider.Endpoint);
        Assert.Equal(Provider.PowNonce, record.Provider.PowNonce);
    }

    [Fact]
    public void The_signed_bytes_are_the_domain_topic_contact_time_and_data()
    {
        var record = ProviderRecord.Create(Provider, Topic, NodeEndpoint.FromIPv4(0xC0000201, 0x1AE1), 0x0102030405060708, "hi"u8);
        byte[] expected =
        [
            .. "kademlia-provider-record-v1"u8, .. Topic.ToArray(),
            .. Provider.PublicKey, 0, 0, 0, 0, 0, 0, 0, 7, 4, 192, 0, 2, 1, 0x1A, 0xE1,
            1, 2, 3, 4, 5, 6, 7, 8, 2, .. "hi"u8,
        ];
        Assert.Equal(expected, record.GetSignedBytes());
    }

    [Fact]
    public void Tampering_with_any_field_fails_verification()
    {
        var record = ProviderRecord.Create(Provider, Topic, Endpoint, 1000, "table 7"u8);
        var info = record.Provider;
        var signature = record.Signature.Span;
        RecordError With(NodeId topic, NodeInfo provider, ulong time, ReadOnlySpan<byte> data, ReadOnlySpan<byte> sig) =>
            new ProviderRecord(topic, provider, time, data, sig).Verify();

        Assert.Equal(RecordError.None, With(Topic, info, 1000, "table 7"u8, signature));
        Assert.Equal(RecordError.InvalidSignature, With(NodeId.Zero, info, 1000, "table 7"u8, signature));
        Assert.Equal(RecordError.InvalidSignature, With(Topic, new NodeInfo(WireVectors.A.PublicIdentity, info.PowNonce, Endpoint), 1000, "table 7"u8, signature));
        Assert.Equal(RecordError.InvalidSignature, With(Topic, new NodeInfo(info.PublicKey, info.PowNonce + 1, Endpoint), 1000, "table 7"u8, signature));
        Assert.Equal(RecordError.InvalidSignature, With(Topic, new NodeInfo(info.PublicKey, info.PowNonce, new NodeEndpoint(IPAddress.Parse("2001:db8::2"), 6881)), 1000, "table 7"u8, signature));
        Assert.Equal(RecordError.InvalidSignature, With(Topic, new NodeInfo(info.PublicKey, info.PowNonce, new NodeEndpoint(IPAddress.Parse("2001:db8::1"), 6882)), 1000, "table 7"u8, signature));
        Assert.Equal(RecordError.InvalidSignature, With(Topic, info, 1001, "table 7"u8, signature));
        Assert.Equal(RecordError.InvalidSignature, With(Topic, info, 1000, "table 8"u8, signature));
        var flipped = signature.ToArray();
        flipped[63] ^= 0x80;
        Assert.Equal(RecordError.InvalidSignature, With(Topic, info, 1000, "table 7"u8, flipped));
    }

    [Fact]
    public void Application_data_is_limited_to_128_bytes()
    {
        Assert.Equal(128, ProviderRecord.Create(Provider, Topic, Endpoint, 0, new byte[128]).ApplicationData.Length);
        Assert.Throws<ArgumentException>(() => ProviderRecord.Create(Provider, Topic, Endpoint, 0, new byte[129]));
        Assert.Throws<ArgumentException>(() => new ProviderRecord(Topic, NodeInfo.Of(Provider, Endpoint), 0, new byte[129], new byte[64]));
        Assert.Throws<ArgumentException>(() => new ProviderRecord(Topic, NodeInfo.Of(Provider, Endpoint), 0, [], new byte[65]));
    }

    [Fact]
    public void A_mutable_record_signature_never_verifies_as_a_provider_record()
    {
        var mutable = MutableRecord.Create(Provider, [], 0, new byte[100]);
        var forged = new ProviderRecord(Topic, NodeInfo.Of(Provider, Endpoint), 0, [], mutable.Signature.Span);
        Assert.Equal(RecordError.InvalidSignature, forged.Verify());
    }
}
