using System.Buffers.Binary;

namespace Kademlia.Sessions.Noise;

/// <summary>
/// The Noise <c>CipherState</c> (revision 34, section 5.1) over ChaCha20-Poly1305: a key and a 64-bit counter nonce.
/// </summary>
/// <remarks>
/// The 96-bit AEAD nonce is 32 zero bits followed by the counter in little-endian, as the Noise spec
/// requires for ChaChaPoly. The counter value 2^64-1 is reserved by the spec, so a state that reaches
/// it refuses to encrypt rather than wrap around and reuse a nonce under the same key.
/// Transport sessions use <see cref="EncryptWithNonce"/>/<see cref="TryDecryptWithNonce"/> directly,
/// because datagrams arrive out of order and carry their counter explicitly (as in WireGuard).
/// The key lives in one pinned buffer, zeroed by <see cref="Dispose"/>, and libsodium is called on it directly:
/// a handshake creates six of these states per side, and an NSec key object per state cost more than the
/// handshake's curve arithmetic (see <see cref="Sodium"/>).
/// </remarks>
internal sealed class CipherState : IDisposable
{
    /// <summary>ChaCha20-Poly1305 key size.</summary>
    public const int KeySize = 32;

    /// <summary>Poly1305 tag size appended to every ciphertext.</summary>
    public const int TagSize = 16;

    /// <summary>The reserved nonce value that must never be used (Noise section 5.1).</summary>
    public const ulong MaxNonce = ulong.MaxValue;

    private const int AeadNonceSize = 12;

    private readonly byte[] _rawKey = Sodium.AllocateSecret(KeySize);
    private bool _hasKey;
    private ulong _nonce;

    /// <summary>Whether <see cref="InitializeKey"/> has been called; without a key the state passes data through.</summary>
    public bool HasKey => _hasKey;

    /// <summary>The next nonce <see cref="TryEncryptWithAd"/> or <see cref="TryDecryptWithAd"/> will use.</summary>
    public ulong Nonce => _nonce;

    /// <summary>Sets the key and resets the nonce to zero.</summary>
    public void InitializeKey(ReadOnlySpan<byte> key)
    {
        key[..KeySize].CopyTo(_rawKey);
        _hasKey = true;
        _nonce = 0;
    }

    /// <summary>Copies the key and nonce, so a handshake can roll back a failed read (see <see cref="Restore"/>).</summary>
    public void SaveTo(Span<byte> key, out ulong nonce, out bool hasKey)
    {
        _rawKey.CopyTo(key);
        nonce = _nonce;
        hasKey = _hasKey;
    }

    /// <summary>Restores a state saved by <see cref="SaveTo"/>.</summary>
    public void Restore(ReadOnlySpan<byte> key, ulong nonce, bool hasKey)
    {
        if (!hasKey)
        {
            Dispose();
        }
        else
        {
            InitializeKey(key);
        }

        _nonce = nonce;
    }

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> with the next nonce, or copies it unchanged when there is no key.
    /// Returns false only when the nonce space is exhausted or <paramref name="destination"/> is too small.
    /// </summary>
    public bool TryEncryptWithAd(ReadOnlySpan<byte> ad, ReadOnlySpan<byte> plaintext, Span<byte> destination, out int written)
    {
        written = 0;
        if (!_hasKey)
        {
            if (destination.Length < plaintext.Length)
            {
                return false;
            }

            plaintext.CopyTo(destination);
            written = plaintext.Length;
            return true;
        }

        if (_nonce == MaxNonce || destination.Length < plaintext.Length + TagSize)
        {
            return false;
        }

        EncryptWithNonce(_nonce, ad, plaintext, destination);
        _nonce++;
        written = plaintext.Length + TagSize;
        return true;
    }

    /// <summary>
    /// Decrypts <paramref name="ciphertext"/> with the next nonce (or copies it when there is no key).
    /// The nonce advances only on success, so a forged message does not desynchronise the state.
    /// </summary>
    public bool TryDecryptWithAd(ReadOnlySpan<byte> ad, ReadOnlySpan<byte> ciphertext, Span<byte> destination, out int written)
    {
        written = 0;
        if (!_hasKey)
        {
            if (destination.Length < ciphertext.Length)
            {
                return false;
            }

            ciphertext.CopyTo(destination);
            written = ciphertext.Length;
            return true;
        }

        if (_nonce == MaxNonce || ciphertext.Length < TagSize || destination.Length < ciphertext.Length - TagSize)
        {
            return false;
        }

        if (!TryDecryptWithNonce(_nonce, ad, ciphertext, destination))
        {
            return false;
        }

        _nonce++;
        written = ciphertext.Length - TagSize;
        return true;
    }

    /// <summary>
    /// Encrypts with an explicit counter; <paramref name="destination"/> must hold plaintext plus <see cref="TagSize"/>.
    /// The caller guarantees the counter is never reused under this key.
    /// </summary>
    public void EncryptWithNonce(ulong counter, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        Span<byte> nonce = stackalloc byte[AeadNonceSize];
        WriteNonce(nonce, counter);
        Sodium.Encrypt(RequireKey(), nonce, ad, plaintext, destination[..(plaintext.Length + TagSize)]);
    }

    /// <summary>Decrypts and authenticates with an explicit counter; false when the tag does not verify.</summary>
    public bool TryDecryptWithNonce(ulong counter, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> ciphertext, Span<byte> destination)
    {
        if (ciphertext.Length < TagSize || destination.Length < ciphertext.Length - TagSize)
        {
            return false;
        }

        Span<byte> nonce = stackalloc byte[AeadNonceSize];
        WriteNonce(nonce, counter);
        return Sodium.TryDecrypt(RequireKey(), nonce, ad, ciphertext, destination[..(ciphertext.Length - TagSize)]);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _hasKey = false;
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(_rawKey);
    }

    private static void WriteNonce(Span<byte> nonce, ulong counter)
    {
        nonce[..4].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(nonce[4..], counter);
    }

    private ReadOnlySpan<byte> RequireKey() => _hasKey ? _rawKey : throw new InvalidOperationException("The cipher state has no key.");
}
