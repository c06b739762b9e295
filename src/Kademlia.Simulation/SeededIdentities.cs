using System.Buffers.Binary;
using System.Security.Cryptography;
using Kademlia.Identity;

namespace Kademlia.Simulation;

/// <summary>
/// Node identities derived from a seed, so that a workload run twice builds the same network (same
/// IDs, so the same buckets and the same lookup paths). For benchmarks, tests and the simulator only:
/// anyone who knows the seed knows the private keys, which is why it lives here and not in a shipped package.
/// </summary>
public static class SeededIdentities
{
    /// <summary>An Ed25519 private key is a 32-byte seed (RFC 8032).</summary>
    private const int Ed25519SeedSize = 32;

    /// <summary>Creates the identity number <paramref name="index"/> of <paramref name="seed"/>, meeting the network's proof-of-work.</summary>
    public static NodeIdentity Create(NetworkParameters network, int seed, int index, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        Span<byte> input = stackalloc byte[16];
        Span<byte> privateSeed = stackalloc byte[Ed25519SeedSize];
        BinaryPrimitives.WriteInt32BigEndian(input, seed);
        BinaryPrimitives.WriteInt32BigEndian(input[4..], index);
        for (long attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            BinaryPrimitives.WriteInt64BigEndian(input[8..], attempt);
            SHA256.HashData(input, privateSeed);
            using var candidate = NodeIdentity.FromPrivateSeed(privateSeed, 0);
            if (!ProofOfWork.MeetsStatic(candidate.Id, network))
            {
                continue;
            }

            var nonce = ProofOfWork.SolveDynamic(candidate.Id, network.DynamicDifficulty, cancellationToken: cancellationToken);
            return NodeIdentity.FromPrivateSeed(privateSeed, nonce);
        }
    }
}
