using System.Runtime.InteropServices;
using NSec.Cryptography;

namespace Kademlia.Sessions;

/// <summary>
/// The libsodium functions the session layer calls directly, on caller-owned buffers: X25519, ChaCha20-Poly1305
/// (IETF) and XChaCha20-Poly1305, and the Ed25519-to-X25519 conversions.
/// </summary>
/// <remarks>
/// <para>
/// libsodium ships inside NSec's native package. NSec wraps every key in a <see cref="Key"/> backed by
/// <c>sodium_malloc</c> (guard pages, <c>mlock</c>): about 30 µs of system calls per key on a typical VM, and a
/// first contact created some twenty such objects per side (ephemeral keys, DH results, one AEAD key per Noise
/// <c>MixKey</c>, the two transport keys), which cost more than the curve arithmetic. Here the same libsodium
/// primitives run on pinned managed buffers that their owners zero on disposal.
/// </para>
/// <para>
/// The NSec algorithm is touched first so that NSec's static initialisation has located, loaded and
/// initialised (<c>sodium_init</c>) the library, which also selects the fastest implementation for the CPU.
/// </para>
/// </remarks>
internal static class Sodium
{
    /// <summary>X25519 keys, ChaCha20-Poly1305 keys and shared secrets are 32 bytes.</summary>
    public const int KeySize = 32;

    /// <summary>Poly1305 tag size.</summary>
    public const int TagSize = 16;

    /// <summary>ChaCha20-Poly1305 (IETF) nonce size.</summary>
    public const int NonceSize = 12;

    /// <summary>XChaCha20-Poly1305 nonce size.</summary>
    public const int XNonceSize = 24;

    static Sodium() => _ = SignatureAlgorithm.Ed25519;

    /// <summary>Allocates a pinned buffer for secret bytes, so the GC never leaves copies behind; zero it when done.</summary>
    public static byte[] AllocateSecret(int length) => GC.AllocateArray<byte>(length, pinned: true);

    /// <summary>X25519 of <paramref name="privateKey"/> and the base point.</summary>
    public static void ScalarMultBase(ReadOnlySpan<byte> privateKey, Span<byte> publicKey)
    {
        Check(privateKey, KeySize);
        Check(publicKey, KeySize);
        if (NativeMethods.crypto_scalarmult_curve25519_base(ref MemoryMarshal.GetReference(publicKey), in MemoryMarshal.GetReference(privateKey)) != 0)
        {
            throw new System.Security.Cryptography.CryptographicException("libsodium could not compute an X25519 public key.");
        }
    }

    /// <summary>
    /// X25519; false when the result is all zeros (the public key is a small-order point), which libsodium's
    /// <c>crypto_scalarmult</c> reports as an error. The result is checked here as well, so the rule does not rest on
    /// one library version: no caller ever sees an all-zero shared secret.
    /// </summary>
    public static bool TryScalarMult(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey, Span<byte> shared)
    {
        if (privateKey.Length != KeySize || publicKey.Length != KeySize || shared.Length < KeySize)
        {
            return false;
        }

        int result = NativeMethods.crypto_scalarmult_curve25519(
            ref MemoryMarshal.GetReference(shared), in MemoryMarshal.GetReference(privateKey), in MemoryMarshal.GetReference(publicKey));
        if (result != 0 || !shared[..KeySize].ContainsAnyExcept((byte)0))
        {
            shared[..KeySize].Clear();
            return false;
        }

        return true;
    }

    /// <summary>ChaCha20-Poly1305 (IETF): writes ciphertext || tag (plaintext + 16 bytes) into <paramref name="destination"/>.</summary>
    public static void Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        Check(key, KeySize);
        Check(nonce, NonceSize);
        Check(destination, plaintext.Length + TagSize);
        if (NativeMethods.crypto_aead_chacha20poly1305_ietf_encrypt(
                ref MemoryMarshal.GetReference(destination), out _,
                in MemoryMarshal.GetReference(plaintext), (ulong)plaintext.Length,
                in MemoryMarshal.GetReference(ad), (ulong)ad.Length,
                IntPtr.Zero, in MemoryMarshal.GetReference(nonce), in MemoryMarshal.GetReference(key)) != 0)
        {
            throw new System.Security.Cryptography.CryptographicException("libsodium refused to encrypt.");
        }
    }

    /// <summary>ChaCha20-Poly1305 (IETF): verifies and decrypts ciphertext || tag; false when the tag does not verify.</summary>
    public static bool TryDecrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> ciphertext, Span<byte> destination)
    {
        Check(key, KeySize);
        Check(nonce, NonceSize);
        if (ciphertext.Length < TagSize || destination.Length < ciphertext.Length - TagSize)
        {
            return false;
        }

        return NativeMethods.crypto_aead_chacha20poly1305_ietf_decrypt(
            ref MemoryMarshal.GetReference(destination), out _, IntPtr.Zero,
            in MemoryMarshal.GetReference(ciphertext), (ulong)ciphertext.Length,
            in MemoryMarshal.GetReference(ad), (ulong)ad.Length,
            in MemoryMarshal.GetReference(nonce), in MemoryMarshal.GetReference(key)) == 0;
    }

    /// <summary>XChaCha20-Poly1305 (IETF): writes ciphertext || tag into <paramref name="destination"/>.</summary>
    public static void XEncrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        Check(key, KeySize);
        Check(nonce, XNonceSize);
        Check(destination, plaintext.Length + TagSize);
        if (NativeMethods.crypto_aead_xchacha20poly1305_ietf_encrypt(
                ref MemoryMarshal.GetReference(destination), out _,
                in MemoryMarshal.GetReference(plaintext), (ulong)plaintext.Length,
                in MemoryMarshal.GetReference(ad), (ulong)ad.Length,
                IntPtr.Zero, in MemoryMarshal.GetReference(nonce), in MemoryMarshal.GetReference(key)) != 0)
        {
            throw new System.Security.Cryptography.CryptographicException("libsodium refused to encrypt.");
        }
    }

    /// <summary>XChaCha20-Poly1305 (IETF): verifies and decrypts; false when the tag does not verify.</summary>
    public static bool TryXDecrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> ciphertext, Span<byte> destination)
    {
        Check(key, KeySize);
        Check(nonce, XNonceSize);
        if (ciphertext.Length < TagSize || destination.Length < ciphertext.Length - TagSize)
        {
            return false;
        }

        return NativeMethods.crypto_aead_xchacha20poly1305_ietf_decrypt(
            ref MemoryMarshal.GetReference(destination), out _, IntPtr.Zero,
            in MemoryMarshal.GetReference(ciphertext), (ulong)ciphertext.Length,
            in MemoryMarshal.GetReference(ad), (ulong)ad.Length,
            in MemoryMarshal.GetReference(nonce), in MemoryMarshal.GetReference(key)) == 0;
    }

    /// <summary>crypto_sign_ed25519_pk_to_curve25519; false for encodings libsodium rejects.</summary>
    public static bool TryEd25519PublicKeyToCurve25519(ReadOnlySpan<byte> ed25519PublicKey, Span<byte> x25519PublicKey)
    {
        if (ed25519PublicKey.Length != KeySize || x25519PublicKey.Length < KeySize)
        {
            return false;
        }

        return NativeMethods.crypto_sign_ed25519_pk_to_curve25519(
            ref MemoryMarshal.GetReference(x25519PublicKey), in MemoryMarshal.GetReference(ed25519PublicKey)) == 0;
    }

    /// <summary>crypto_sign_ed25519_sk_to_curve25519 on libsodium's 64-byte secret key (seed || public key).</summary>
    public static bool TryEd25519SecretKeyToCurve25519(ReadOnlySpan<byte> ed25519SecretKey, Span<byte> x25519PrivateKey)
    {
        if (ed25519SecretKey.Length != 2 * KeySize || x25519PrivateKey.Length < KeySize)
        {
            return false;
        }

        return NativeMethods.crypto_sign_ed25519_sk_to_curve25519(
            ref MemoryMarshal.GetReference(x25519PrivateKey), in MemoryMarshal.GetReference(ed25519SecretKey)) == 0;
    }

    private static void Check(ReadOnlySpan<byte> buffer, int length)
    {
        if (buffer.Length < length)
        {
            throw new ArgumentException($"Expected at least {length} bytes.");
        }
    }

    private static class NativeMethods
    {
        private const string Library = "libsodium";

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories)]
        internal static extern int crypto_scalarmult_curve25519_base(ref byte q, in byte n);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories)]
        internal static extern int crypto_scalarmult_curve25519(ref byte q, in byte n, in byte p);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories)]
        internal static extern int crypto_aead_chacha20poly1305_ietf_encrypt(
            ref byte c, out ulong clen, in byte m, ulong mlen, in byte ad, ulong adlen, IntPtr nsec, in byte npub, in byte k);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories)]
        internal static extern int crypto_aead_chacha20poly1305_ietf_decrypt(
            ref byte m, out ulong mlen, IntPtr nsec, in byte c, ulong clen, in byte ad, ulong adlen, in byte npub, in byte k);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories)]
        internal static extern int crypto_aead_xchacha20poly1305_ietf_encrypt(
            ref byte c, out ulong clen, in byte m, ulong mlen, in byte ad, ulong adlen, IntPtr nsec, in byte npub, in byte k);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories)]
        internal static extern int crypto_aead_xchacha20poly1305_ietf_decrypt(
            ref byte m, out ulong mlen, IntPtr nsec, in byte c, ulong clen, in byte ad, ulong adlen, in byte npub, in byte k);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories)]
        internal static extern int crypto_sign_ed25519_pk_to_curve25519(ref byte curve25519PublicKey, in byte ed25519PublicKey);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories)]
        internal static extern int crypto_sign_ed25519_sk_to_curve25519(ref byte curve25519SecretKey, in byte ed25519SecretKey);
    }
}
