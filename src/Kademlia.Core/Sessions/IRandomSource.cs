namespace Kademlia.Sessions;

/// <summary>
/// The source of every random byte the session layer uses (ephemeral keys, indexes, cookie secrets, nonces).
/// </summary>
/// <remarks>
/// Injected so that the sans-io core stays deterministic under test: a seeded source replays a run exactly.
/// Production code uses <see cref="CryptoRandomSource"/>.
/// </remarks>
internal interface IRandomSource
{
    /// <summary>Fills <paramref name="destination"/> with random bytes.</summary>
    void Fill(Span<byte> destination);
}
