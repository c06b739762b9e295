namespace Kademlia.Sessions.Noise;

/// <summary>Noise's DH functions for Curve25519, computed by libsodium (see <see cref="Sodium"/>).</summary>
internal static class Dh25519
{
    /// <summary>Noise's DHLEN: public keys and shared secrets are 32 bytes.</summary>
    public const int KeySize = Sodium.KeySize;

    /// <summary>Imports a raw 32-byte X25519 private key (libsodium clamps it on use) and computes its public key.</summary>
    public static X25519KeyPair ImportPrivateKey(ReadOnlySpan<byte> privateKey) => new(privateKey);

    /// <summary>Generates a key pair from <paramref name="random"/>, so tests can make it deterministic.</summary>
    public static X25519KeyPair GenerateKey(IRandomSource random)
    {
        Span<byte> seed = stackalloc byte[KeySize];
        random.Fill(seed);
        var key = new X25519KeyPair(seed);
        seed.Clear();
        return key;
    }

    /// <summary>Writes the raw public key of <paramref name="key"/>.</summary>
    public static void ExportPublicKey(X25519KeyPair key, Span<byte> destination) => key.PublicKey.CopyTo(destination);

    /// <summary>
    /// DH(private, public) into <paramref name="output"/>. False when the result is all zeros (a low-order
    /// point), which libsodium reports and which Noise treats as a failed handshake.
    /// </summary>
    public static bool TryAgree(X25519KeyPair privateKey, ReadOnlySpan<byte> publicKey, Span<byte> output) =>
        privateKey.TryAgree(publicKey, output);
}

/// <summary>
/// An X25519 key pair whose private half lives in a pinned buffer that <see cref="Dispose"/> zeroes.
/// </summary>
internal sealed class X25519KeyPair : IDisposable
{
    private readonly byte[] _private = Sodium.AllocateSecret(Dh25519.KeySize);
    private readonly byte[] _public = new byte[Dh25519.KeySize];
    private bool _disposed;

    /// <summary>Copies <paramref name="privateKey"/> (32 bytes) and computes the public key.</summary>
    public X25519KeyPair(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != Dh25519.KeySize)
        {
            throw new ArgumentException("An X25519 private key is 32 bytes.", nameof(privateKey));
        }

        privateKey.CopyTo(_private);
        Sodium.ScalarMultBase(_private, _public);
    }

    /// <summary>The public key.</summary>
    public ReadOnlySpan<byte> PublicKey => _public;

    /// <summary>X25519 with <paramref name="publicKey"/>; false for a low-order public key.</summary>
    public bool TryAgree(ReadOnlySpan<byte> publicKey, Span<byte> output)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Sodium.TryScalarMult(_private, publicKey, output);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(_private);
        _disposed = true;
    }
}
