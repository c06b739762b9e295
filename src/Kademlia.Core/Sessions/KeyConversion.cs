using System.Security.Cryptography;
using NSec.Cryptography;

namespace Kademlia.Sessions;

/// <summary>
/// Converts Ed25519 identity keys to the X25519 keys Noise uses, through libsodium's birational map.
/// </summary>
/// <remarks>
/// A contact carries a single Ed25519 key (it signs records and hashes to the node ID), so the Noise static key
/// must be derived from it rather than published separately. libsodium ships inside NSec's native package;
/// NSec has no managed wrapper for these two functions, so they are called directly (see <see cref="Sodium"/>).
/// </remarks>
internal static class KeyConversion
{
    /// <summary>Size of Ed25519 and X25519 public keys, Ed25519 seeds and X25519 private keys.</summary>
    public const int KeySize = 32;

    private const int LibsodiumSecretKeySize = 64;

    /// <summary>
    /// Maps an Ed25519 public key to its X25519 (Montgomery u) form. False for encodings libsodium rejects:
    /// points not on the curve, of small order, or non-canonical.
    /// </summary>
    public static bool TryConvertPublicKey(ReadOnlySpan<byte> ed25519PublicKey, Span<byte> x25519PublicKey)
    {
        if (ed25519PublicKey.Length != KeySize || x25519PublicKey.Length < KeySize)
        {
            return false;
        }

        return Sodium.TryEd25519PublicKeyToCurve25519(ed25519PublicKey, x25519PublicKey);
    }

    /// <summary>
    /// Derives the X25519 private key of an Ed25519 seed (libsodium: the clamped first half of SHA-512(seed)).
    /// </summary>
    public static void ConvertSeed(ReadOnlySpan<byte> ed25519Seed, Span<byte> x25519PrivateKey)
    {
        if (ed25519Seed.Length != KeySize || x25519PrivateKey.Length < KeySize)
        {
            throw new ArgumentException("Ed25519 seeds and X25519 private keys are 32 bytes.");
        }

        // libsodium's secret key is seed || public key; only the seed half is read, but pass the real thing.
        Span<byte> secretKey = stackalloc byte[LibsodiumSecretKeySize];
        ed25519Seed.CopyTo(secretKey);
        using (var key = Key.Import(SignatureAlgorithm.Ed25519, ed25519Seed, KeyBlobFormat.RawPrivateKey))
        {
            if (!key.PublicKey.TryExport(KeyBlobFormat.RawPublicKey, secretKey[KeySize..], out _))
            {
                CryptographicOperations.ZeroMemory(secretKey);
                throw new CryptographicException("NSec could not export the Ed25519 public key.");
            }
        }

        bool converted = Sodium.TryEd25519SecretKeyToCurve25519(secretKey, x25519PrivateKey);
        CryptographicOperations.ZeroMemory(secretKey);
        if (!converted)
        {
            throw new CryptographicException("libsodium could not convert the Ed25519 secret key.");
        }
    }
}
