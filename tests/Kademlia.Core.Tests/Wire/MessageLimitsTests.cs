using System.Collections.Immutable;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Routing;
using Kademlia.Wire;
using static Kademlia.Tests.Wire.WireVectors;

namespace Kademlia.Tests.Wire;

public class MessageLimitsTests
{
    private static WireContact Ipv6Contact(int i)
    {
        var key = new byte[NodePublicKey.Size];
        key[0] = (byte)i;
        var address = new byte[16];
        address[0] = 0x20;
        address[1] = 0x01;
        address[15] = (byte)i;
        return new WireContact(new NodePublicKey(key), ulong.MaxValue, NodeEndpoint.FromIPv6(address, 65535));
    }

    [Fact]
    public void A_nodes_answer_with_twenty_ipv6_contacts_fits_one_transport_packet()
    {
        var contacts = Enumerable.Range(0, WireLimits.MaxContacts).Select(Ipv6Contact).ToImmutableArray();
        var nodes = new NodesResponse(ulong.MaxValue, contacts);
        var size = MessageCodec.GetByteCount(nodes);
        Assert.Equal(WireLimits.HeaderSize + 1 + (20 * 59), size);
        Assert.Equal(1190, size);
        Assert.True(size <= WireLimits.MaxMessageSize);
        Assert.True(size + WireLimits.TransportOverhead <= WireLimits.MaxPacketSize);
        MessageRoundTripTests.AssertRoundTrip(nodes);
    }

    [Fact]
    public void Contacts_take_47_bytes_over_ipv4_and_59_over_ipv6()
    {
        Assert.Equal(47, ContactA.EncodedSize);
        Assert.Equal(59, ContactB.EncodedSize);
        Assert.Equal(WireContact.IPv4Size, ContactA.EncodedSize);
        Assert.Equal(WireContact.IPv6Size, ContactB.EncodedSize);
        Assert.Equal(WireLimits.HeaderSize + 1 + 47 + 59, MessageCodec.GetByteCount(new NodesResponse(1, [ContactA, ContactB])));
    }

    [Fact]
    public void First_requests_are_small_enough_to_ride_in_a_handshake()
    {
        // The IK initiation costs about 150 bytes, so a first request has about 1130; these use at most 51.
        var key = NodeId.MaxValue;
        Assert.Equal(9, MessageCodec.GetByteCount(new PingRequest(1)));
        Assert.Equal(41, MessageCodec.GetByteCount(new FindNodeRequest(1, key)));
        Assert.Equal(42, MessageCodec.GetByteCount(new GetRequest(1, key, RecordKind.Immutable)));
        Assert.Equal(51, MessageCodec.GetByteCount(new GetRequest(1, key, RecordKind.Mutable, ulong.MaxValue)));
        Assert.Equal(41, MessageCodec.GetByteCount(new GetProvidersRequest(1, key)));
    }

    [Fact]
    public void The_largest_put_and_the_largest_value_answer_fit()
    {
        var largest = new MutableRecord(ContactA.PublicKey, new byte[64], ulong.MaxValue, new byte[1000], new byte[64]);
        Assert.Equal(1171, MessageCodec.GetByteCount(largest));
        var put = new PutRequest(1, largest, uint.MaxValue, ulong.MaxValue);
        Assert.Equal(1194, MessageCodec.GetByteCount(put));
        MessageRoundTripTests.AssertRoundTrip(put);

        var value = new ValueResponse(1, largest, [ContactB]);
        Assert.Equal(1241, MessageCodec.GetByteCount(value));
        MessageRoundTripTests.AssertRoundTrip(value);
        Assert.Throws<ArgumentException>(() => new ValueResponse(1, largest, [ContactB, ContactB]));
    }

    [Fact]
    public void Constructors_refuse_what_cannot_be_sent()
    {
        var contacts = Enumerable.Range(0, 21).Select(Ipv6Contact).ToImmutableArray();
        Assert.Throws<ArgumentException>(() => new NodesResponse(1, contacts));
        Assert.Throws<ArgumentException>(() => new ProvidersResponse(1, [.. Enumerable.Repeat(Provider, 9)], []));
        Assert.Throws<ArgumentException>(() => new ProvidersResponse(1, [.. Enumerable.Repeat(Provider, 8)], []));
        Assert.Throws<ArgumentException>(() => new GetRequest(1, NodeId.Zero, RecordKind.Immutable, 5));
        Assert.Throws<ArgumentException>(() => new GetRequest(1, NodeId.Zero, (RecordKind)3));
        Assert.Throws<ArgumentException>(() => new PutRequest(1, Immutable, 60, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PutResultResponse(1, (PutStatus)99));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ErrorResponse(1, (ErrorCode)0));
        Assert.True(new NodesResponse(1, default).Contacts.IsEmpty);
    }

    [Fact]
    public void The_largest_app_messages_fill_one_transport_packet_whatever_the_channel()
    {
        var longest = new string('c', AppChannel.MaxLength);
        var payload = new byte[WireLimits.MaxAppPayload];
        Assert.Equal(1202, WireLimits.MaxAppPayload);
        Assert.Equal(WireLimits.MaxMessageSize, MessageCodec.GetByteCount(new AppRequest(1, longest, payload)));
        Assert.Equal(WireLimits.MaxMessageSize, MessageCodec.GetByteCount(new AppDatagram(1, longest, payload)));
        Assert.Equal(9 + 2 + 1202, MessageCodec.GetByteCount(new AppResponse(1, payload)));
        MessageRoundTripTests.AssertRoundTrip(new AppRequest(ulong.MaxValue, longest, payload));
        MessageRoundTripTests.AssertRoundTrip(new AppDatagram(1, "a", []));
        MessageRoundTripTests.AssertRoundTrip(new AppResponse(1, []));
    }

    [Theory]
    [InlineData("")]
    [InlineData("lobby 1")]
    [InlineData("lobby\n")]
    [InlineData("caf\u00e9")]
    [InlineData("123456789012345678901234567890123")]
    public void An_app_message_refuses_a_channel_that_is_empty_too_long_or_not_printable_ascii(string escaped)
    {
        var channel = System.Text.RegularExpressions.Regex.Unescape(escaped);
        Assert.False(AppChannel.IsValid(channel));
        Assert.Throws<ArgumentException>(() => new AppRequest(1, channel, []));
        Assert.Throws<ArgumentException>(() => new AppDatagram(1, channel, []));
    }

    [Fact]
    public void An_app_message_refuses_a_payload_that_does_not_fit_one_packet()
    {
        var tooLarge = new byte[WireLimits.MaxAppPayload + 1];
        Assert.Throws<ArgumentException>(() => new AppRequest(1, "a", tooLarge));
        Assert.Throws<ArgumentException>(() => new AppDatagram(1, "a", tooLarge));
        Assert.Throws<ArgumentException>(() => new AppResponse(1, tooLarge));
        Assert.True(AppChannel.IsValid("!~"));
        Assert.True(AppChannel.IsValid(new string('~', AppChannel.MaxLength)));
    }

    public static TheoryData<string, DecodeError> Malformed => new()
    {
        { "", DecodeError.Truncated },
        { "00", DecodeError.UnknownMessageType },
        { "10", DecodeError.UnknownMessageType },
        { "0a0123456789abcdef000000", DecodeError.InvalidChannel },
        { "0b0123456789abcdef21" + new string('6', 66) + "0000", DecodeError.InvalidChannel },
        { "0a0123456789abcdef02" + "6120" + "0000", DecodeError.InvalidChannel },
        { "0a0123456789abcdef02" + "617f" + "0000", DecodeError.InvalidChannel },
        { "0a0123456789abcdef0161" + "04b3", DecodeError.FieldTooLong },
        { "0b0123456789abcdef0161" + "0002" + "00", DecodeError.Truncated },
        { "8a0123456789abcdef04b3", DecodeError.FieldTooLong },
        { "8a0123456789abcdef0000ff", DecodeError.TrailingBytes },
        { "010123", DecodeError.Truncated },
        { "010123456789abcdef00", DecodeError.TrailingBytes },
        { "820123456789abcdef15", DecodeError.CountTooLarge },
        { "860123456789abcdef09", DecodeError.CountTooLarge },
        { "820123456789abcdef01" + new string('0', 80) + "05" + new string('0', 12), DecodeError.InvalidAddressFamily },
        { "810123456789abcdef05c6336407c350", DecodeError.InvalidAddressFamily },
        { "810123456789abcdef0600000000000000000000ffffc6336407c350", DecodeError.NonCanonicalAddress },
        { "030123456789abcdef" + new string('0', 64) + "03", DecodeError.InvalidRecordKind },
        { "030123456789abcdef" + new string('0', 64) + "0202", DecodeError.InvalidFlag },
        { "040123456789abcdef00001c200103e9", DecodeError.FieldTooLong },
        { "040123456789abcdef00001c2002" + new string('0', 64) + "41", DecodeError.FieldTooLong },
        { "840123456789abcdef09", DecodeError.InvalidCode },
        { "ff0123456789abcdef00", DecodeError.InvalidCode },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_input_gets_its_decode_error(string hex, DecodeError expected)
    {
        Assert.Equal(expected, MessageCodec.TryRead(Convert.FromHexString(hex), out var message));
        Assert.Null(message);
    }

    [Fact]
    public void Oversized_application_data_and_oversized_input_are_refused()
    {
        var bytes = MessageCodec.Encode(new AddProviderRequest(1, Provider, 60));
        // header 9, TTL 4, topic 32, contact 59, time 8: then the application-data length.
        var at = 9 + 4 + 32 + 59 + 8;
        Assert.Equal(Provider.ApplicationData.Length, bytes[at]);
        bytes[at] = 129;
        Assert.Equal(DecodeError.FieldTooLong, MessageCodec.TryRead(bytes, out _));

        var tooLong = new byte[WireLimits.MaxMessageSize + 1];
        tooLong[0] = (byte)MessageType.Ping;
        Assert.Equal(DecodeError.MessageTooLarge, MessageCodec.TryRead(tooLong, out _));
    }

    [Fact]
    public void The_header_of_a_malformed_request_can_still_be_read_to_answer_it()
    {
        var bytes = Convert.FromHexString("030123456789abcdef" + new string('0', 64) + "03");
        Assert.Equal(DecodeError.InvalidRecordKind, MessageCodec.TryRead(bytes, out _));
        Assert.Equal(DecodeError.None, MessageCodec.TryReadHeader(bytes, out var type, out var id));
        Assert.Equal(MessageType.Get, type);
        Assert.Equal(RequestId, id);
        Assert.Equal(DecodeError.Truncated, MessageCodec.TryReadHeader([0x01, 1, 2], out _, out _));
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x10)]
    [InlineData(0x42)]
    [InlineData(0x7F)]
    public void The_header_of_a_request_of_an_unknown_type_reads_so_it_can_be_answered_UNSUPPORTED_REQUEST(byte type)
    {
        byte[] bytes = [type, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xFF];
        Assert.Equal(DecodeError.UnknownMessageType, MessageCodec.TryRead(bytes, out _));
        Assert.Equal(DecodeError.None, MessageCodec.TryReadHeader(bytes, out var read, out var id));
        Assert.Equal(type, (byte)read);
        Assert.Equal(RequestId, id);
        Assert.Equal(DecodeError.Truncated, MessageCodec.TryReadHeader(bytes.AsSpan(0, 8), out _, out _));
    }

    [Theory]
    [InlineData(0x80)]
    [InlineData(0x85)]
    [InlineData(0xC2)]
    [InlineData(0xFE)]
    public void The_header_of_an_answer_of_an_unknown_type_does_not_read_because_no_one_asked_for_it(byte type)
    {
        byte[] bytes = [type, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];
        Assert.Equal(DecodeError.UnknownMessageType, MessageCodec.TryRead(bytes, out _));
        Assert.Equal(DecodeError.UnknownMessageType, MessageCodec.TryReadHeader(bytes, out _, out _));
    }

    [Fact]
    public void Requests_and_answers_are_told_apart_by_the_high_bit()
    {
        foreach (var (_, message) in Messages())
        {
            Assert.Equal(message.Type is MessageType.Ping or MessageType.FindNode or MessageType.Get or MessageType.Put
                or MessageType.AddProvider or MessageType.GetProviders or MessageType.Probe or MessageType.ProbeForward
                or MessageType.ProbeDial or MessageType.AppRequest or MessageType.AppDatagram or MessageType.PunchRequest
                or MessageType.PunchNotify or MessageType.RelaySend or MessageType.RelayDeliver, message.IsRequest);
            if (message.IsRequest)
            {
                Assert.Equal(0, (byte)message.Type & 0x40); // bit 6 of a request's type is the CLIENT flag
            }
        }
    }
}
