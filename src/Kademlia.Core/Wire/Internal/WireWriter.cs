using System.Buffers.Binary;
using Kademlia.Identity;

namespace Kademlia.Wire.Internal;

/// <summary>
/// Appends big-endian fields to a span. Callers size the span with the codec's byte count first, so
/// running out of room is a bug in the codec (the span's own bounds check throws), never bad input.
/// </summary>
internal ref struct WireWriter
{
    private readonly Span<byte> _destination;

    public WireWriter(Span<byte> destination)
    {
        _destination = destination;
        Position = 0;
    }

    public int Position { get; private set; }

    public void WriteByte(byte value) => _destination[Position++] = value;

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_destination[Position..], value);
        Position += sizeof(ushort);
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_destination[Position..], value);
        Position += sizeof(uint);
    }

    public void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_destination[Position..], value);
        Position += sizeof(ulong);
    }

    public void WriteBytes(scoped ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_destination[Position..]);
        Position += bytes.Length;
    }

    /// <summary>The next <paramref name="count"/> bytes, for a caller that fills them in place.</summary>
    public Span<byte> Reserve(int count)
    {
        var span = _destination.Slice(Position, count);
        Position += count;
        return span;
    }

    public void WriteNodeId(NodeId id)
    {
        id.WriteTo(_destination[Position..]);
        Position += NodeId.Size;
    }
}
