using System.Security.Cryptography;

namespace Kademlia.Sessions;

/// <summary>The production <see cref="IRandomSource"/>: the operating system's CSPRNG.</summary>
internal sealed class CryptoRandomSource : IRandomSource
{
    /// <summary>The shared instance; it holds no state.</summary>
    public static CryptoRandomSource Instance { get; } = new();

    /// <inheritdoc />
    public void Fill(Span<byte> destination) => RandomNumberGenerator.Fill(destination);
}
