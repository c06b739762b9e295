using CsCheck;
using Kademlia.Wire;

namespace Kademlia.Tests.Wire;

public class MessageRoundTripTests
{
    /// <summary>Encode, decode, compare; the byte count is exact and decoding then encoding gives the same bytes.</summary>
    internal static void AssertRoundTrip(Message message)
    {
        var count = MessageCodec.GetByteCount(message);
        Assert.InRange(count, WireLimits.HeaderSize, WireLimits.MaxMessageSize);
        var buffer = new byte[count + 7];
        Assert.True(MessageCodec.TryWrite(buffer, message, out var written));
        Assert.Equal(count, written);
        Assert.False(MessageCodec.TryWrite(buffer.AsSpan(0, count - 1), message, out var none));
        Assert.Equal(0, none);

        var bytes = buffer.AsSpan(0, written);
        Assert.Equal(DecodeError.None, MessageCodec.TryRead(bytes, out var decoded));
        Assert.Equal(message, decoded);
        Assert.Equal(message.GetType(), decoded!.GetType());
        Assert.True(bytes.SequenceEqual(MessageCodec.Encode(decoded)));

        Assert.Equal(DecodeError.None, MessageCodec.TryReadHeader(bytes, out var type, out var requestId));
        Assert.Equal(message.Type, type);
        Assert.Equal(message.RequestId, requestId);
    }

    [Fact]
    public void Ping_round_trips() => WireGen.Ping.Sample(AssertRoundTrip);

    [Fact]
    public void Find_node_round_trips() => WireGen.FindNode.Sample(AssertRoundTrip);

    [Fact]
    public void Get_round_trips_for_both_kinds_with_and_without_a_minimum_sequence() => WireGen.Get.Sample(AssertRoundTrip);

    [Fact]
    public void Put_round_trips_for_both_kinds_with_and_without_compare_and_swap() => WireGen.Put.Sample(AssertRoundTrip);

    [Fact]
    public void Add_provider_round_trips() => WireGen.AddProvider.Sample(AssertRoundTrip);

    [Fact]
    public void Get_providers_round_trips() => WireGen.GetProviders.Sample(AssertRoundTrip);

    [Fact]
    public void Pong_round_trips_ipv4_and_ipv6_endpoints() => WireGen.Pong.Sample(AssertRoundTrip);

    [Fact]
    public void Nodes_round_trips_up_to_k_contacts() => WireGen.Nodes.Sample(AssertRoundTrip);

    [Fact]
    public void Value_round_trips_with_the_contacts_that_fit() => WireGen.Value.Sample(AssertRoundTrip);

    [Fact]
    public void Put_result_round_trips_every_status() => WireGen.PutResult.Sample(AssertRoundTrip);

    [Fact]
    public void Providers_round_trips_with_the_records_and_contacts_that_fit() => WireGen.Providers.Sample(AssertRoundTrip);

    [Fact]
    public void Error_round_trips_every_code() => WireGen.Error.Sample(AssertRoundTrip);

    [Fact]
    public void Probes_round_trip() => WireGen.Probe.Sample(AssertRoundTrip);

    [Fact]
    public void App_requests_datagrams_and_responses_round_trip_up_to_the_longest_channel_and_the_largest_payload() =>
        WireGen.App.Sample(AssertRoundTrip);

    [Fact]
    public void Messages_of_different_types_or_ids_are_not_equal() =>
        Gen.Select(WireGen.Any, WireGen.Any).Sample((a, b) =>
            a.Equals(b) == MessageCodec.Encode(a).AsSpan().SequenceEqual(MessageCodec.Encode(b)));
}
