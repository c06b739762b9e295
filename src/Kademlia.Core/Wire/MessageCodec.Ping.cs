using Kademlia.Routing;
using Kademlia.Wire.Internal;

namespace Kademlia.Wire;

/// <content>
/// PING and PONG without their message records: the engine's allocation-free request path reads and
/// writes them here. The bytes are exactly those of <see cref="TryWrite"/> for a <see cref="PingRequest"/>
/// or <see cref="PongResponse"/>, and the rules those of <see cref="TryRead"/>.
/// </content>
public static partial class MessageCodec
{
    /// <summary>Encodes a PING with <paramref name="requestId"/>; false, with nothing written, when <paramref name="destination"/> is too short.</summary>
    internal static bool TryWritePing(Span<byte> destination, ulong requestId, out int bytesWritten)
    {
        if (destination.Length < WireLimits.HeaderSize)
        {
            bytesWritten = 0;
            return false;
        }

        var writer = new WireWriter(destination[..WireLimits.HeaderSize]);
        writer.WriteByte((byte)MessageType.Ping);
        writer.WriteUInt64(requestId);
        bytesWritten = WireLimits.HeaderSize;
        return true;
    }

    /// <summary>Encodes a PONG answering <paramref name="requestId"/>; false, with nothing written, when <paramref name="destination"/> is too short.</summary>
    internal static bool TryWritePong(Span<byte> destination, ulong requestId, NodeEndpoint observed, out int bytesWritten)
    {
        var size = WireLimits.HeaderSize + ContactEncoding.EndpointSize(observed);
        if (destination.Length < size)
        {
            bytesWritten = 0;
            return false;
        }

        var writer = new WireWriter(destination[..size]);
        writer.WriteByte((byte)MessageType.Pong);
        writer.WriteUInt64(requestId);
        ContactEncoding.WriteEndpoint(ref writer, observed);
        bytesWritten = size;
        return true;
    }

    /// <summary>Whether <paramref name="source"/> is exactly one well-formed PING, and its request ID.</summary>
    internal static bool IsPing(ReadOnlySpan<byte> source, out ulong requestId)
    {
        var reader = new WireReader(source);
        return ReadHeader(ref reader, out var type, out requestId, unknownRequests: false) == DecodeError.None
            && type == MessageType.Ping
            && reader.Remaining == 0;
    }

    /// <summary>Whether <paramref name="source"/> is exactly one well-formed PONG, with its request ID and observed endpoint.</summary>
    internal static bool IsPong(ReadOnlySpan<byte> source, out ulong requestId, out NodeEndpoint observed)
    {
        observed = default;
        requestId = 0;
        var reader = new WireReader(source);
        return source.Length <= WireLimits.MaxMessageSize
            && ReadHeader(ref reader, out var type, out requestId, unknownRequests: false) == DecodeError.None
            && type == MessageType.Pong
            && ContactEncoding.ReadEndpoint(ref reader, out observed) == DecodeError.None
            && reader.Remaining == 0;
    }
}
