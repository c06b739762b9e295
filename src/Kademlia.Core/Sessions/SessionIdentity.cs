using NSec.Cryptography;
using Kademlia.Sessions.Noise;

namespace Kademlia.Sessions;

/// <summary>
/// This node's keys as the session layer needs them: the Ed25519 public key and PoW nonce it announces, and the
/// X25519 static key derived from the same Ed25519 seed.
/// </summary>
internal sealed class SessionIdentity : IDisposable
{
    private readonly byte[] _x25519PublicKey = new byte[Dh25519.KeySize];

    private SessionIdentity(PeerKey key, ulong proofOfWorkNonce, X25519KeyPair x25519)
    {
        Key = key;
        ProofOfWorkNonce = proofOfWorkNonce;
        StaticKey = x25519;
        Dh25519.ExportPublicKey(x25519, _x25519PublicKey);
    }

    /// <summary>The Ed25519 public key (the node's identity).</summary>
    public PeerKey Key { get; }

    /// <summary>The proof-of-work nonce sent in handshakes.</summary>
    public ulong ProofOfWorkNonce { get; }

    /// <summary>The Noise static key.</summary>
    internal X25519KeyPair StaticKey { get; }

    /// <summary>The Noise static public key.</summary>
    internal ReadOnlySpan<byte> StaticPublicKey => _x25519PublicKey;

    /// <summary>Builds the identity from a 32-byte Ed25519 seed (NSec's raw private key format).</summary>
    public static SessionIdentity FromEd25519Seed(ReadOnlySpan<byte> seed, ulong proofOfWorkNonce)
    {
        Span<byte> publicKey = stackalloc byte[PeerKey.Size];
        using (var ed25519 = NSec.Cryptography.Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey))
        {
            if (!ed25519.PublicKey.TryExport(KeyBlobFormat.RawPublicKey, publicKey, out _))
            {
                throw new System.Security.Cryptography.CryptographicException("NSec could not export the Ed25519 public key.");
            }
        }

        Span<byte> x25519 = stackalloc byte[Dh25519.KeySize];
        KeyConversion.ConvertSeed(seed, x25519);
        var key = Dh25519.ImportPrivateKey(x25519);
        x25519.Clear();
        return new SessionIdentity(new PeerKey(publicKey), proofOfWorkNonce, key);
    }

    /// <inheritdoc />
    public void Dispose() => StaticKey.Dispose();
}
