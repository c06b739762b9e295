using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Kademlia.Sessions;

/// <summary>A peer's Ed25519 public key: the identity the session layer reports and indexes sessions by.</summary>
/// <remarks>
/// The 32 bytes are held inline, so a key costs no allocation however often it is built (once per
/// request and per datagram on the hot path); <see cref="Span"/> reads them in place.
/// </remarks>
internal readonly struct PeerKey : IEquatable<PeerKey>, IComparable<PeerKey>
{
    /// <summary>Size of the key.</summary>
    public const int Size = 32;

    private readonly KeyBytes _bytes;
    private readonly bool _set;

    /// <summary>Copies a 32-byte Ed25519 public key.</summary>
    public PeerKey(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException("An Ed25519 public key is 32 bytes.", nameof(bytes));
        }

        bytes.CopyTo(_bytes);
        _set = true;
    }

    /// <summary>The raw key (empty for the default value), read in place: valid while this value lives.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> Span => _set ? _bytes : [];

    /// <summary>Whether this is the default (empty) value rather than a key.</summary>
    public bool IsEmpty => !_set;

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

    [InlineArray(Size)]
    private struct KeyBytes
    {
        private byte _first;
    }
}
