namespace Kademlia.Sessions;

/// <summary>A peer's Ed25519 public key: the identity the session layer reports and indexes sessions by.</summary>
internal readonly struct PeerKey : IEquatable<PeerKey>, IComparable<PeerKey>
{
    /// <summary>Size of the key.</summary>
    public const int Size = 32;

    // An immutable private copy; a struct cannot hand out a span over an inline buffer of its own.
    private readonly byte[]? _bytes;

    /// <summary>Copies a 32-byte Ed25519 public key.</summary>
    public PeerKey(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException("An Ed25519 public key is 32 bytes.", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    /// <summary>The raw key.</summary>
    public ReadOnlySpan<byte> Span => _bytes;

    /// <summary>Whether this is the default (empty) value rather than a key.</summary>
    public bool IsEmpty => _bytes is null;

    /// <summary>Equal keys.</summary>
    public static bool operator ==(PeerKey left, PeerKey right) => left.Equals(right);

    /// <summary>Different keys.</summary>
    public static bool operator !=(PeerKey left, PeerKey right) => !left.Equals(right);

    /// <summary>Byte-wise order.</summary>
    public static bool operator <(PeerKey left, PeerKey right) => left.CompareTo(right) < 0;

    /// <summary>Byte-wise order.</summary>
    public static bool operator >(PeerKey left, PeerKey right) => left.CompareTo(right) > 0;

    /// <summary>Byte-wise order.</summary>
    public static bool operator <=(PeerKey left, PeerKey right) => left.CompareTo(right) <= 0;

    /// <summary>Byte-wise order.</summary>
    public static bool operator >=(PeerKey left, PeerKey right) => left.CompareTo(right) >= 0;

    /// <inheritdoc />
    public bool Equals(PeerKey other) => Span.SequenceEqual(other.Span);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is PeerKey other && Equals(other);

    /// <summary>A per-process randomised hash, so chosen keys cannot collide a dictionary on purpose.</summary>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(Span);
        return hash.ToHashCode();
    }

    /// <summary>Byte-wise (big-endian) order; the simultaneous-initiation tie-break uses it.</summary>
    public int CompareTo(PeerKey other) => Span.SequenceCompareTo(other.Span);

    /// <summary>Lowercase hex.</summary>
    public override string ToString() => Convert.ToHexStringLower(Span);
}
