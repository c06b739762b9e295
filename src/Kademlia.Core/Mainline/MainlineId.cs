using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Kademlia.Identity;

namespace Kademlia.Mainline;

/// <summary>
/// A 160-bit Mainline DHT identifier (BEP 5): a node ID, an info-hash or a BEP 44 target, held inline as
/// 20 big-endian bytes.
/// </summary>
/// <remarks>
/// <see cref="ToNodeId"/> places the 160 bits at the top of a 256-bit <see cref="NodeId"/> with zeros below,
/// so XOR order and common-prefix length are the same in both: the native routing table and lookups can
/// hold Mainline contacts unchanged.
/// </remarks>
public readonly struct MainlineId : IEquatable<MainlineId>, IComparable<MainlineId>
{
    /// <summary>The length of an ID in bytes.</summary>
    public const int Size = 20;

    /// <summary>The length of an ID in bits.</summary>
    public const int Bits = 160;

    private readonly ulong _w0;
    private readonly ulong _w1;
    private readonly uint _w2;

    /// <summary>Reads an ID from exactly 20 big-endian bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 20 bytes long.</exception>
    public MainlineId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"A Mainline ID is {Size} bytes, not {bytes.Length}.", nameof(bytes));
        }

        _w0 = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _w1 = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _w2 = BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]);
    }

    /// <summary>SHA-1 of <paramref name="data"/>: how info-hashes and BEP 44 targets are made.</summary>
    public static MainlineId Sha1(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[Size];
        SHA1.HashData(data, digest);
        return new MainlineId(digest);
    }

    /// <summary>A uniformly random ID drawn from <paramref name="random"/>.</summary>
    public static MainlineId Random(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<byte> bytes = stackalloc byte[Size];
        random.NextBytes(bytes);
        return new MainlineId(bytes);
    }

    /// <summary>Parses 40 hexadecimal digits.</summary>
    /// <exception cref="FormatException"><paramref name="hex"/> is not 40 hexadecimal digits.</exception>
    public static MainlineId Parse(string hex) =>
        TryParse(hex, out var id) ? id : throw new FormatException($"A Mainline ID is {2 * Size} hexadecimal digits.");

    /// <summary>Parses 40 hexadecimal digits; false for anything else.</summary>
    public static bool TryParse([NotNullWhen(true)] string? hex, out MainlineId id)
    {
        id = default;
        Span<byte> bytes = stackalloc byte[Size];
        if (hex is null || hex.Length != 2 * Size || Convert.FromHexString(hex, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != Size)
        {
            return false;
        }

        id = new MainlineId(bytes);
        return true;
    }

    /// <summary>Writes the 20 bytes to the front of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _w0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _w1);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], _w2);
    }

    /// <summary>The 20 bytes in a new array.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>This ID as the top 160 bits of a native <see cref="NodeId"/>, the low 96 bits zero.</summary>
    public NodeId ToNodeId()
    {
        Span<byte> bytes = stackalloc byte[NodeId.Size];
        bytes.Clear();
        WriteTo(bytes);
        return new NodeId(bytes);
    }

    /// <summary>The top 160 bits of a native <see cref="NodeId"/>: the inverse of <see cref="ToNodeId"/>.</summary>
    internal static MainlineId FromNodeId(NodeId id)
    {
        Span<byte> bytes = stackalloc byte[NodeId.Size];
        id.WriteTo(bytes);
        return new MainlineId(bytes[..Size]);
    }

    /// <summary>The XOR distance between two IDs.</summary>
    public static MainlineId operator ^(MainlineId a, MainlineId b) => new(a._w0 ^ b._w0, a._w1 ^ b._w1, a._w2 ^ b._w2);

    private MainlineId(ulong w0, ulong w1, uint w2)
    {
        _w0 = w0;
        _w1 = w1;
        _w2 = w2;
    }

    /// <inheritdoc />
    public bool Equals(MainlineId other) => _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is MainlineId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w2);

    /// <summary>Orders as 160-bit unsigned big-endian integers.</summary>
    public int CompareTo(MainlineId other)
    {
        var order = _w0.CompareTo(other._w0);
        if (order != 0)
        {
            return order;
        }

        order = _w1.CompareTo(other._w1);
        return order != 0 ? order : _w2.CompareTo(other._w2);
    }

    /// <summary>The ID as 40 lower-case hexadecimal digits.</summary>
    public override string ToString() => Convert.ToHexStringLower(ToArray());

    /// <inheritdoc cref="Equals(MainlineId)" />
    public static bool operator ==(MainlineId left, MainlineId right) => left.Equals(right);

    /// <inheritdoc cref="Equals(MainlineId)" />
    public static bool operator !=(MainlineId left, MainlineId right) => !left.Equals(right);

    /// <inheritdoc cref="CompareTo(MainlineId)" />
    public static bool operator <(MainlineId left, MainlineId right) => left.CompareTo(right) < 0;

    /// <inheritdoc cref="CompareTo(MainlineId)" />
    public static bool operator >(MainlineId left, MainlineId right) => left.CompareTo(right) > 0;

    /// <inheritdoc cref="CompareTo(MainlineId)" />
    public static bool operator <=(MainlineId left, MainlineId right) => left.CompareTo(right) <= 0;

    /// <inheritdoc cref="CompareTo(MainlineId)" />
    public static bool operator >=(MainlineId left, MainlineId right) => left.CompareTo(right) >= 0;
}
