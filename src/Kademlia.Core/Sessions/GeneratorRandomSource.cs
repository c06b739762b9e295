namespace Kademlia.Sessions;

/// <summary>
/// An <see cref="IRandomSource"/> over a caller-seeded <see cref="Random"/>: the session layer draws its
/// ephemeral keys, indexes and cookie secrets from the same generator as the rest of the engine, so one
/// seed replays a simulated run byte for byte.
/// </summary>
/// <remarks>Not cryptographic: for simulation and tests only. Production engines get <see cref="CryptoRandomSource"/>.</remarks>
internal sealed class GeneratorRandomSource(Random random) : IRandomSource
{
    /// <inheritdoc />
    public void Fill(Span<byte> destination) => random.NextBytes(destination);
}
