using System.Buffers.Binary;
using Kademlia.Identity;

namespace Kademlia.Wire.Internal;

/// <summary>
/// Takes big-endian fields off the front of a span. Every read checks the remaining length first and
/// answers false instead of throwing, so hostile input can only ever produce a decode error.
/// </summary>
internal ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _source;
    private int _position;

    public WireReader(ReadOnlySpan<byte> source)
    {
        _source = source;
        _position = 0;
    }

    public readonly int Remaining => _source.Length - _position;

    /// <summary>The next byte without taking it; call only when <see cref="Remaining"/> is positive.</summary>
    public readonly byte PeekByte() => _source[_position];

    public bool TryReadByte(out byte value)
    {
        if (Remaining < 1)
        {
            value = 0;
            return false;
        }

        value = _source[_position++];
        return true;
    }

    public bool TryReadUInt16(out ushort value)
    {
        if (!BinaryPrimitives.TryReadUInt16BigEndian(_source[_position..], out value))
        {
            return false;
        }

        _position += sizeof(ushort);
        return true;
    }

    public bool TryReadUInt32(out uint value)
    {
        if (!BinaryPrimitives.TryReadUInt32BigEndian(_source[_position..], out value))
        {
            return false;
        }

        _position += sizeof(uint);
        return true;
    }

    public bool TryReadUInt64(out ulong value)
    {
        if (!BinaryPrimitives.TryReadUInt64BigEndian(_source[_position..], out value))
        {
            return false;
        }

        _position += sizeof(ulong);
        return true;
    }

    public bool TryReadBytes(int count, out ReadOnlySpan<byte> bytes)
    {
        if ((uint)count > (uint)Remaining)
        {
            bytes = default;
            return false;
        }

        bytes = _source.Slice(_position, count);
        _position += count;
        return true;
    }

    public bool TryReadNodeId(out NodeId id)
    {
        if (!TryReadBytes(NodeId.Size, out var bytes))
        {
            id = default;
            return false;
        }

        id = new NodeId(bytes);
        return true;
    }
}
