using NSec.Cryptography;

namespace Kademlia.Sessions.Noise;

/// <summary>Noise's DH functions for Curve25519, delegated to NSec (libsodium).</summary>
internal static class Dh25519
{
    /// <summary>Noise's DHLEN: public keys and shared secrets are 32 bytes.</summary>
    public const int KeySize = 32;

    private static readonly KeyAgreementAlgorithm Algorithm = KeyAgreementAlgorithm.X25519;

    /// <summary>Imports a raw 32-byte X25519 private key (clamping is libsodium's business).</summary>
    public static Key ImportPrivateKey(ReadOnlySpan<byte> privateKey) =>
        Key.Import(Algorithm, privateKey, KeyBlobFormat.RawPrivateKey);

    /// <summary>Generates a key pair from <paramref name="random"/>, so tests can make it deterministic.</summary>
    public static Key GenerateKey(IRandomSource random)
    {
        Span<byte> seed = stackalloc byte[KeySize];
        random.Fill(seed);
        var key = ImportPrivateKey(seed);
        seed.Clear();
        return key;
    }

    /// <summary>Writes the raw public key of <paramref name="key"/>.</summary>
    public static void ExportPublicKey(Key key, Span<byte> destination) =>
        key.PublicKey.TryExport(KeyBlobFormat.RawPublicKey, destination, out _);

    /// <summary>
    /// DH(private, public) into <paramref name="output"/>. False when the public key is rejected or the result
    /// is all zeros (a low-order point), which libsodium reports and which Noise treats as a failed handshake.
    /// </summary>
    public static bool TryAgree(Key privateKey, ReadOnlySpan<byte> publicKey, Span<byte> output)
    {
        if (publicKey.Length != KeySize ||
            !PublicKey.TryImport(Algorithm, publicKey, KeyBlobFormat.RawPublicKey, out var remote) ||
            remote is null)
        {
            return false;
        }

        var parameters = new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        using var secret = Algorithm.Agree(privateKey, remote, in parameters);
        return secret is not null && secret.TryExport(SharedSecretBlobFormat.RawSharedSecret, output, out int written) && written == KeySize;
    }
}
