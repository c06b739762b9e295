using Kademlia.Identity;

namespace Kademlia.Simulation;

/// <summary>Identities drawn from a seeded generator, so that a simulation's node IDs replay exactly.</summary>
public static class DeterministicIdentities
{
    /// <summary>
    /// An identity whose private seed comes from <paramref name="random"/>, re-drawn until the static
    /// puzzle of <paramref name="network"/> holds, with the smallest dynamic nonce.
    /// </summary>
    public static NodeIdentity Create(Random random, NetworkParameters network)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(network);
        var seed = new byte[32];
        while (true)
        {
            random.NextBytes(seed);
            var candidate = NodeIdentity.FromPrivateSeed(seed, 0);
            if (!ProofOfWork.MeetsStatic(candidate.Id, network))
            {
                candidate.Dispose();
                continue;
            }

            var nonce = ProofOfWork.SolveDynamic(candidate.Id, network.DynamicDifficulty);
            candidate.Dispose();
            return NodeIdentity.FromPrivateSeed(seed, nonce);
        }
    }
}
