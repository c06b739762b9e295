using System.Text;

namespace Kademlia.Mainline;

/// <summary>A bencoded byte string: <c>&lt;length&gt;:&lt;bytes&gt;</c>. Byte strings need not be text.</summary>
public sealed class BencodeString : BencodeValue, IComparable<BencodeString>
{
    private readonly byte[] _bytes;

    /// <summary>A string holding a copy of <paramref name="bytes"/>.</summary>
    public BencodeString(ReadOnlySpan<byte> bytes) => _bytes = bytes.ToArray();

    private BencodeString(byte[] bytes) => _bytes = bytes;

    /// <summary>The empty string, <c>0:</c>.</summary>
    public static BencodeString Empty { get; } = new([]);

    /// <summary>The string of the UTF-8 bytes of <paramref name="text"/> (KRPC keys and method names are ASCII).</summary>
    public static BencodeString FromUtf8(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new BencodeString(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Wraps <paramref name="bytes"/> without copying; the caller gives up the array.</summary>
    internal static BencodeString Own(byte[] bytes) => new(bytes);

    /// <summary>The bytes.</summary>
    public ReadOnlySpan<byte> Span => _bytes;

    /// <summary>The bytes, for callers that keep them.</summary>
    public ReadOnlyMemory<byte> Memory => _bytes;

    /// <summary>The number of bytes.</summary>
    public int Length => _bytes.Length;

    /// <inheritdoc />
    public override int Depth => 0;

    /// <summary>A copy of the bytes.</summary>
    public byte[] ToArray() => (byte[])_bytes.Clone();

    /// <summary>Orders as raw byte strings, the order BEP 3 requires of dictionary keys.</summary>
    public int CompareTo(BencodeString? other) => other is null ? 1 : Span.SequenceCompareTo(other.Span);

    /// <inheritdoc />
    public override bool Equals(BencodeValue? other) => other is BencodeString s && Span.SequenceEqual(s.Span);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }
}
