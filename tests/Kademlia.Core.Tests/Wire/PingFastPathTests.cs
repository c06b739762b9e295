using CsCheck;
using Kademlia.Routing;
using Kademlia.Wire;

namespace Kademlia.Tests.Wire;

/// <summary>The record-free PING/PONG reader and writers agree byte for byte with the general codec.</summary>
public sealed class PingFastPathTests
{
    [Fact]
    public void A_ping_written_without_its_record_is_the_records_encoding_and_reads_back() => WireGen.Ping.Sample(message =>
    {
        var ping = (PingRequest)message;
        var fast = new byte[WireLimits.HeaderSize];
        Assert.True(MessageCodec.TryWritePing(fast, ping.RequestId, out var length));

        Assert.Equal(MessageCodec.Encode(ping), fast[..length]);
        Assert.True(MessageCodec.IsPing(fast, out var id));
        Assert.Equal(ping.RequestId, id);
        Assert.False(MessageCodec.IsPong(fast, out _, out _));
    });

    [Fact]
    public void A_pong_written_without_its_record_is_the_records_encoding_and_reads_back() => WireGen.Pong.Sample(message =>
    {
        var pong = (PongResponse)message;
        var fast = new byte[64];
        Assert.True(MessageCodec.TryWritePong(fast, pong.RequestId, pong.ObservedEndpoint, out var length));

        Assert.Equal(MessageCodec.Encode(pong), fast[..length]);
        Assert.True(MessageCodec.IsPong(fast.AsSpan(0, length), out var id, out var observed));
        Assert.Equal((pong.RequestId, pong.ObservedEndpoint), (id, observed));
        Assert.False(MessageCodec.IsPing(fast.AsSpan(0, length), out _));
    });

    [Fact]
    public void Too_short_a_destination_gets_nothing_written()
    {
        Assert.False(MessageCodec.TryWritePing(new byte[WireLimits.HeaderSize - 1], 7, out var written));
        Assert.Equal(0, written);
        Assert.False(MessageCodec.TryWritePong(new byte[WireLimits.HeaderSize], 7, NodeEndpoint.FromIPv4(0x7F000001, 4000), out written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void Any_bytes_read_as_a_ping_or_pong_exactly_when_the_general_codec_reads_one() =>
        Gen.OneOf(
                Gen.Byte.Array[0, 40],
                WireGen.Ping.Select(m => MessageCodec.Encode(m)),
                WireGen.Pong.Select(m => MessageCodec.Encode(m)),
                WireGen.Pong.Select(Gen.Int[0, 30], (m, cut) => MessageCodec.Encode(m).AsSpan(0, Math.Min(cut, MessageCodec.Encode(m).Length)).ToArray()))
            .Sample(bytes =>
            {
                var general = MessageCodec.TryRead(bytes, out var message);
                Assert.Equal(general == DecodeError.None && message is PingRequest, MessageCodec.IsPing(bytes, out var pingId));
                Assert.Equal(general == DecodeError.None && message is PongResponse, MessageCodec.IsPong(bytes, out var pongId, out var observed));
                switch (message)
                {
                    case PingRequest ping:
                        Assert.Equal(ping.RequestId, pingId);
                        break;
                    case PongResponse pong:
                        Assert.Equal((pong.RequestId, pong.ObservedEndpoint), (pongId, observed));
                        break;
                }
            });
}
