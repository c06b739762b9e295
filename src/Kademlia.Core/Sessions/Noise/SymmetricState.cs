using System.Buffers;
using System.Security.Cryptography;

namespace Kademlia.Sessions.Noise;

/// <summary>
/// The Noise <c>SymmetricState</c> (revision 34, section 5.2) with SHA-256: the chaining key, the handshake hash
/// and the <see cref="CipherState"/> that encrypts handshake payloads.
/// </summary>
internal sealed class SymmetricState : IDisposable
{
    /// <summary>Noise's HASHLEN for SHA-256.</summary>
    public const int HashLength = NoiseHkdf.HashLength;

    // Handshake messages are bounded by the 1280-byte datagram limit, so h || data fits the stack.
    private const int StackHashLimit = 1536;

    private readonly byte[] _chainingKey = new byte[HashLength];
    private readonly byte[] _hash = new byte[HashLength];
    private readonly CipherState _cipher = new();

    /// <summary>InitializeSymmetric: h = protocol name padded to HASHLEN, or its hash when longer; ck = h.</summary>
    public SymmetricState(ReadOnlySpan<byte> protocolName)
    {
        if (protocolName.Length <= HashLength)
        {
            protocolName.CopyTo(_hash);
        }
        else
        {
            SHA256.HashData(protocolName, _hash);
        }

        _hash.CopyTo(_chainingKey, 0);
    }

    /// <summary>Whether a key has been mixed in, i.e. payloads are now encrypted.</summary>
    public bool HasKey => _cipher.HasKey;

    /// <summary>The handshake hash h, used as channel binding once the handshake completes.</summary>
    public ReadOnlySpan<byte> HandshakeHash => _hash;

    /// <summary>h = HASH(h || data).</summary>
    public void MixHash(ReadOnlySpan<byte> data)
    {
        int length = HashLength + data.Length;
        byte[]? rented = null;
        Span<byte> buffer = length <= StackHashLimit ? stackalloc byte[StackHashLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        _hash.CopyTo(buffer);
        data.CopyTo(buffer[HashLength..]);
        SHA256.HashData(buffer[..length], _hash);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>ck, temp_k = HKDF(ck, ikm, 2); the cipher key becomes temp_k.</summary>
    public void MixKey(ReadOnlySpan<byte> inputKeyMaterial)
    {
        Span<byte> tempKey = stackalloc byte[HashLength];
        NoiseHkdf.Derive(_chainingKey, inputKeyMaterial, _chainingKey, tempKey);
        _cipher.InitializeKey(tempKey);
        CryptographicOperations.ZeroMemory(tempKey);
    }

    /// <summary>ck, temp_h, temp_k = HKDF(ck, ikm, 3); MixHash(temp_h); the cipher key becomes temp_k (used with PSKs).</summary>
    public void MixKeyAndHash(ReadOnlySpan<byte> inputKeyMaterial)
    {
        Span<byte> tempHash = stackalloc byte[HashLength];
        Span<byte> tempKey = stackalloc byte[HashLength];
        NoiseHkdf.Derive(_chainingKey, inputKeyMaterial, _chainingKey, tempHash, tempKey);
        MixHash(tempHash);
        _cipher.InitializeKey(tempKey);
        CryptographicOperations.ZeroMemory(tempKey);
    }

    /// <summary>Encrypts with h as associated data, then mixes the ciphertext into h.</summary>
    public bool TryEncryptAndHash(ReadOnlySpan<byte> plaintext, Span<byte> destination, out int written)
    {
        if (!_cipher.TryEncryptWithAd(_hash, plaintext, destination, out written))
        {
            return false;
        }

        MixHash(destination[..written]);
        return true;
    }

    /// <summary>Decrypts with h as associated data, then mixes the ciphertext into h. False on a bad tag.</summary>
    public bool TryDecryptAndHash(ReadOnlySpan<byte> ciphertext, Span<byte> destination, out int written)
    {
        if (!_cipher.TryDecryptWithAd(_hash, ciphertext, destination, out written))
        {
            return false;
        }

        MixHash(ciphertext);
        return true;
    }

    /// <summary>Saves ck, h and the cipher state into <paramref name="snapshot"/> (<see cref="SnapshotSize"/> bytes).</summary>
    public void Save(Span<byte> snapshot, out ulong nonce, out bool hasKey)
    {
        _chainingKey.CopyTo(snapshot);
        _hash.CopyTo(snapshot[HashLength..]);
        _cipher.SaveTo(snapshot[(2 * HashLength)..], out nonce, out hasKey);
    }

    /// <summary>Restores what <see cref="Save"/> saved.</summary>
    public void Restore(ReadOnlySpan<byte> snapshot, ulong nonce, bool hasKey)
    {
        snapshot[..HashLength].CopyTo(_chainingKey);
        snapshot.Slice(HashLength, HashLength).CopyTo(_hash);
        _cipher.Restore(snapshot.Slice(2 * HashLength, CipherState.KeySize), nonce, hasKey);
    }

    /// <summary>Size of a <see cref="Save"/> snapshot.</summary>
    public const int SnapshotSize = (2 * HashLength) + CipherState.KeySize;

    /// <summary>The ciphertext size <see cref="TryEncryptAndHash"/> produces for a plaintext of the given size.</summary>
    public int EncryptedSize(int plaintextLength) => plaintextLength + (HasKey ? CipherState.TagSize : 0);

    /// <summary>Derives the two transport cipher states: the first for initiator-to-responder, the second for the reverse.</summary>
    public (CipherState InitiatorToResponder, CipherState ResponderToInitiator) Split()
    {
        Span<byte> key1 = stackalloc byte[HashLength];
        Span<byte> key2 = stackalloc byte[HashLength];
        NoiseHkdf.Derive(_chainingKey, ReadOnlySpan<byte>.Empty, key1, key2);
        var c1 = new CipherState();
        var c2 = new CipherState();
        c1.InitializeKey(key1);
        c2.InitializeKey(key2);
        CryptographicOperations.ZeroMemory(key1);
        CryptographicOperations.ZeroMemory(key2);
        return (c1, c2);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_chainingKey);
        _cipher.Dispose();
    }
}
