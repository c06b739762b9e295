using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using NSec.Cryptography;

namespace Kademlia.Identity;

/// <summary>
/// A 32-byte Ed25519 public key held inline (no heap object), with the node ID it hashes to.
/// </summary>
public readonly struct NodePublicKey : IEquatable<NodePublicKey>
{
    /// <summary>The length of an Ed25519 public key in bytes.</summary>
    public const int Size = 32;

    private readonly KeyBytes _bytes;

    /// <summary>Wraps exactly 32 bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes long.</exception>
    public NodePublicKey(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"An Ed25519 public key is {Size} bytes, not {bytes.Length}.", nameof(bytes));
        }

        bytes.CopyTo(_bytes);
    }

    /// <summary>The key's bytes.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> Span => _bytes;

    /// <summary>The node ID of this key: SHA-256 of its bytes.</summary>
    public NodeId ToNodeId() => NodeId.FromPublicKey(_bytes);

    /// <summary>
    /// Whether <paramref name="signature"/> is this key's Ed25519 signature of <paramref name="data"/>.
    /// False, never an exception, for a key that is not a valid curve point.
    /// </summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        var algorithm = SignatureAlgorithm.Ed25519;
        if (signature.Length != algorithm.SignatureSize
            || !PublicKey.TryImport(algorithm, _bytes, KeyBlobFormat.RawPublicKey, out var key))
        {
            return false;
        }

        return algorithm.Verify(key!, data, signature);
    }

    /// <inheritdoc/>
    public bool Equals(NodePublicKey other) => Span.SequenceEqual(other.Span);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is NodePublicKey other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => BitConverter.ToInt32(_bytes);

    /// <summary>The key as lowercase hexadecimal.</summary>
    public override string ToString() => Convert.ToHexStringLower(_bytes);

    /// <summary>Equality of the 32 bytes.</summary>
    public static bool operator ==(NodePublicKey left, NodePublicKey right) => left.Equals(right);

    /// <summary>Inequality of the 32 bytes.</summary>
    public static bool operator !=(NodePublicKey left, NodePublicKey right) => !left.Equals(right);

    [InlineArray(Size)]
    private struct KeyBytes
    {
        private byte _first;
    }
}
