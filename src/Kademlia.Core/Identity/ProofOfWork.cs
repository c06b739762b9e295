using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Kademlia.Identity;

/// <summary>
/// The S/Kademlia crypto puzzles that make node IDs costly (Baumgart and Mies, 2007).
/// </summary>
/// <remarks>
/// <para>
/// Static puzzle: SHA-256(NodeId) has at least c1 leading zero bits, where NodeId = SHA-256(public
/// key). It can only be met by generating key pairs until one fits (2^c1 key generations), so an
/// attacker cannot pick an ID near a victim cheaply.
/// </para>
/// <para>
/// Dynamic puzzle: SHA-256(NodeId ‖ nonce), with the nonce as 8 big-endian bytes, has at least c2
/// leading zero bits (2^c2 hashes). The difficulties always come from the network's
/// <see cref="NetworkParameters"/>, never from the proof, so a proof cannot lower its own bar.
/// Verifying both costs two SHA-256 computations.
/// </para>
/// <para>
/// Proof-of-work only rate-limits identity creation; IP-diversity limits and disjoint lookups carry
/// the real weight against Sybil and eclipse attacks.
/// </para>
/// </remarks>
public static class ProofOfWork
{
    /// <summary>Bytes hashed by the dynamic puzzle: the ID then the nonce.</summary>
    private const int DynamicInputSize = NodeId.Size + sizeof(ulong);

    /// <summary>Leading zero bits of SHA-256(<paramref name="id"/>): the static puzzle's score.</summary>
    public static int StaticScore(NodeId id)
    {
        Span<byte> input = stackalloc byte[NodeId.Size];
        id.WriteTo(input);
        return NodeId.Hash(input).LeadingZeroCount();
    }

    /// <summary>Leading zero bits of SHA-256(<paramref name="id"/> ‖ <paramref name="nonce"/>): the dynamic puzzle's score.</summary>
    public static int DynamicScore(NodeId id, ulong nonce)
    {
        Span<byte> input = stackalloc byte[DynamicInputSize];
        id.WriteTo(input);
        BinaryPrimitives.WriteUInt64BigEndian(input[NodeId.Size..], nonce);
        return NodeId.Hash(input).LeadingZeroCount();
    }

    /// <summary>Whether <paramref name="id"/> meets the static puzzle of <paramref name="network"/>.</summary>
    public static bool MeetsStatic(NodeId id, NetworkParameters network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return StaticScore(id) >= network.StaticDifficulty;
    }

    /// <summary>
    /// Whether <paramref name="id"/> and <paramref name="nonce"/> meet both puzzles of
    /// <paramref name="network"/>. Costs two SHA-256 computations.
    /// </summary>
    public static bool Verify(NodeId id, ulong nonce, NetworkParameters network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return StaticScore(id) >= network.StaticDifficulty && DynamicScore(id, nonce) >= network.DynamicDifficulty;
    }

    /// <summary>
    /// Finds the smallest nonce from <paramref name="start"/> upwards that meets the dynamic puzzle at
    /// <paramref name="difficulty"/> bits. Deterministic, so the same ID always gets the same nonce.
    /// </summary>
    /// <param name="id">The node ID the nonce is bound to.</param>
    /// <param name="difficulty">Leading zero bits wanted (c2).</param>
    /// <param name="progress">Told the number of hashes tried, about every 65,536 attempts.</param>
    /// <param name="start">The first nonce to try.</param>
    /// <param name="cancellationToken">Stops the search.</param>
    /// <exception cref="OperationCanceledException">The search was cancelled.</exception>
    public static ulong SolveDynamic(
        NodeId id,
        int difficulty,
        IProgress<long>? progress = null,
        ulong start = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(difficulty);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(difficulty, NodeId.Bits);
        Span<byte> input = stackalloc byte[DynamicInputSize];
        Span<byte> digest = stackalloc byte[NodeId.Size];
        id.WriteTo(input);
        var nonceBytes = input[NodeId.Size..];
        long tried = 0;
        for (var nonce = start; ; nonce++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(nonceBytes, nonce);
            SHA256.HashData(input, digest);
            if (new NodeId(digest).LeadingZeroCount() >= difficulty)
            {
                progress?.Report(tried + 1);
                return nonce;
            }

            if ((++tried & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report(tried);
            }
        }
    }
}
