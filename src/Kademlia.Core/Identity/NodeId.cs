using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Security.Cryptography;

namespace Kademlia.Identity;

/// <summary>
/// A 256-bit Kademlia identifier: a node ID or a record key. Compared and combined as an unsigned
/// big-endian integer, so that <c>a ^ b</c> is the XOR distance of the paper and ordering distances
/// is ordering integers.
/// </summary>
/// <remarks>
/// Stored as four 64-bit words, most significant first, so that XOR, comparison and leading-zero
/// counts are four machine operations each. A node's ID is <c>SHA-256(Ed25519 public key)</c>; see
/// <see cref="FromPublicKey"/>. Equality covers the 256 bits only, never a proof of work.
/// </remarks>
public readonly struct NodeId : IEquatable<NodeId>, IComparable<NodeId>, ISpanFormattable
{
    /// <summary>The length of an ID in bytes.</summary>
    public const int Size = 32;

    /// <summary>The length of an ID in bits, and the number of buckets of a routing table.</summary>
    public const int Bits = 256;

    private readonly ulong _w0;
    private readonly ulong _w1;
    private readonly ulong _w2;
    private readonly ulong _w3;

    private NodeId(ulong w0, ulong w1, ulong w2, ulong w3)
    {
        _w0 = w0;
        _w1 = w1;
        _w2 = w2;
        _w3 = w3;
    }

    /// <summary>Reads an ID from exactly 32 big-endian bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes long.</exception>
    public NodeId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"A node ID is {Size} bytes, not {bytes.Length}.", nameof(bytes));
        }

        _w0 = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _w1 = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _w2 = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _w3 = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    /// <summary>The all-zero ID.</summary>
    public static NodeId Zero => default;

    /// <summary>The all-ones ID: the greatest possible distance.</summary>
    public static NodeId MaxValue => new(ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue);

    /// <summary>True for the all-zero ID (a distance of zero means "the same ID").</summary>
    public bool IsZero => (_w0 | _w1 | _w2 | _w3) == 0;

    /// <summary>The ID of the node owning <paramref name="publicKey"/>: its SHA-256 hash.</summary>
    public static NodeId FromPublicKey(ReadOnlySpan<byte> publicKey) => Hash(publicKey);

    /// <summary>SHA-256 of <paramref name="data"/> as an ID (record keys, topic keys).</summary>
    public static NodeId Hash(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[Size];
        SHA256.HashData(data, digest);
        return new NodeId(digest);
    }

    /// <summary>A uniformly random ID drawn from <paramref name="random"/>.</summary>
    public static NodeId Random(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<byte> bytes = stackalloc byte[Size];
        random.NextBytes(bytes);
        return new NodeId(bytes);
    }

    /// <summary>
    /// A random ID whose common-prefix length with <paramref name="self"/> is exactly
    /// <paramref name="bucketIndex"/>: a target that falls in that bucket, as used by bucket refresh.
    /// </summary>
    public static NodeId RandomInBucket(NodeId self, int bucketIndex, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bucketIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(bucketIndex, Bits);
        var distance = Random(random);
        // Keep the first bucketIndex bits equal to ours (distance 0), flip the next one (distance 1).
        var keepMask = Not(PrefixMask(bucketIndex + 1));
        var bit = SingleBit(bucketIndex);
        return self ^ Or(And(distance, keepMask), bit);
    }

    /// <summary>The XOR distance between two IDs.</summary>
    public static NodeId operator ^(NodeId a, NodeId b) => new(a._w0 ^ b._w0, a._w1 ^ b._w1, a._w2 ^ b._w2, a._w3 ^ b._w3);

    private static NodeId And(NodeId a, NodeId b) => new(a._w0 & b._w0, a._w1 & b._w1, a._w2 & b._w2, a._w3 & b._w3);

    private static NodeId Or(NodeId a, NodeId b) => new(a._w0 | b._w0, a._w1 | b._w1, a._w2 | b._w2, a._w3 | b._w3);

    private static NodeId Not(NodeId a) => new(~a._w0, ~a._w1, ~a._w2, ~a._w3);

    /// <summary>The XOR distance from this ID to <paramref name="other"/>.</summary>
    public NodeId DistanceTo(NodeId other) => this ^ other;

    /// <summary>
    /// Compares the distances of <paramref name="a"/> and <paramref name="b"/> to this ID (the target):
    /// negative when <paramref name="a"/> is closer, zero when they are the same ID, positive otherwise.
    /// </summary>
    /// <remarks>XOR is unidirectional, so two different IDs are never at the same distance.</remarks>
    public int CompareDistance(NodeId a, NodeId b)
    {
        if (a._w0 != b._w0) return (a._w0 ^ _w0).CompareTo(b._w0 ^ _w0);
        if (a._w1 != b._w1) return (a._w1 ^ _w1).CompareTo(b._w1 ^ _w1);
        if (a._w2 != b._w2) return (a._w2 ^ _w2).CompareTo(b._w2 ^ _w2);
        return (a._w3 ^ _w3).CompareTo(b._w3 ^ _w3);
    }

    /// <summary>
    /// The number of leading bits this ID shares with <paramref name="other"/>, from 0 to 256 (256 only
    /// for the same ID). It is the index of the routing-table bucket <paramref name="other"/> falls into
    /// when this ID is the table's owner: bucket <c>i</c> holds the distances in [2^(255-i), 2^(256-i)).
    /// </summary>
    public int CommonPrefixLength(NodeId other) => (this ^ other).LeadingZeroCount();

    /// <summary>The number of leading zero bits, from 0 to 256.</summary>
    public int LeadingZeroCount()
    {
        if (_w0 != 0) return BitOperations.LeadingZeroCount(_w0);
        if (_w1 != 0) return 64 + BitOperations.LeadingZeroCount(_w1);
        if (_w2 != 0) return 128 + BitOperations.LeadingZeroCount(_w2);
        return 192 + BitOperations.LeadingZeroCount(_w3);
    }

    /// <summary>The bit at <paramref name="index"/>, counted from the most significant (0) to the least (255).</summary>
    public bool GetBit(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Bits);
        var word = (index >> 6) switch { 0 => _w0, 1 => _w1, 2 => _w2, _ => _w3 };
        return ((word >> (63 - (index & 63))) & 1) != 0;
    }

    /// <summary>Writes the 32 big-endian bytes of this ID.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 32 bytes.</exception>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"A node ID needs {Size} bytes.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, _w0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _w1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _w2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _w3);
    }

    /// <summary>The 32 big-endian bytes of this ID.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Parses 64 hexadecimal digits.</summary>
    /// <exception cref="FormatException">The text is not 64 hexadecimal digits.</exception>
    public static NodeId Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        return TryParse(hex, out var id)
            ? id
            : throw new FormatException("A node ID is 64 hexadecimal digits.");
    }

    /// <summary>Parses 64 hexadecimal digits; false for anything else.</summary>
    public static bool TryParse([NotNullWhen(true)] string? hex, out NodeId id) => TryParse(hex.AsSpan(), out id);

    /// <summary>Parses 64 hexadecimal digits; false for anything else.</summary>
    public static bool TryParse(ReadOnlySpan<char> hex, out NodeId id)
    {
        id = default;
        if (hex.Length != Size * 2)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Size];
        if (Convert.FromHexString(hex, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != Size)
        {
            return false;
        }

        id = new NodeId(bytes);
        return true;
    }

    /// <summary>The ID as 64 lowercase hexadecimal digits.</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        WriteTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>The first 8 hexadecimal digits, for logs and tables.</summary>
    public string ToShortString() => ToString()[..8];

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) => format == "s" ? ToShortString() : ToString();

    /// <inheritdoc/>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        var length = format.SequenceEqual("s") ? 8 : Size * 2;
        if (destination.Length < length)
        {
            charsWritten = 0;
            return false;
        }

        Span<byte> bytes = stackalloc byte[Size];
        WriteTo(bytes);
        Convert.TryToHexStringLower(bytes[..(length / 2)], destination, out charsWritten);
        return true;
    }

    /// <inheritdoc/>
    public bool Equals(NodeId other) => ((_w0 ^ other._w0) | (_w1 ^ other._w1) | (_w2 ^ other._w2) | (_w3 ^ other._w3)) == 0;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is NodeId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => (int)_w0 ^ (int)(_w0 >> 32) ^ (int)_w3;

    /// <summary>Orders IDs as unsigned 256-bit integers (so distances order by closeness).</summary>
    public int CompareTo(NodeId other)
    {
        if (_w0 != other._w0) return _w0.CompareTo(other._w0);
        if (_w1 != other._w1) return _w1.CompareTo(other._w1);
        if (_w2 != other._w2) return _w2.CompareTo(other._w2);
        return _w3.CompareTo(other._w3);
    }

    /// <summary>Equality of the 256 bits.</summary>
    public static bool operator ==(NodeId left, NodeId right) => left.Equals(right);

    /// <summary>Inequality of the 256 bits.</summary>
    public static bool operator !=(NodeId left, NodeId right) => !left.Equals(right);

    /// <summary>Unsigned integer order.</summary>
    public static bool operator <(NodeId left, NodeId right) => left.CompareTo(right) < 0;

    /// <summary>Unsigned integer order.</summary>
    public static bool operator >(NodeId left, NodeId right) => left.CompareTo(right) > 0;

    /// <summary>Unsigned integer order.</summary>
    public static bool operator <=(NodeId left, NodeId right) => left.CompareTo(right) <= 0;

    /// <summary>Unsigned integer order.</summary>
    public static bool operator >=(NodeId left, NodeId right) => left.CompareTo(right) >= 0;

    /// <summary>An ID whose first <paramref name="bits"/> bits are ones and the rest zeros.</summary>
    private static NodeId PrefixMask(int bits)
    {
        static ulong Word(int bitsInWord) => bitsInWord <= 0 ? 0 : bitsInWord >= 64 ? ulong.MaxValue : ulong.MaxValue << (64 - bitsInWord);
        return new NodeId(Word(bits), Word(bits - 64), Word(bits - 128), Word(bits - 192));
    }

    private static NodeId SingleBit(int index) => And(PrefixMask(index + 1), Not(PrefixMask(index)));
}
