using Kademlia.Identity;

namespace Kademlia.Simulation;

/// <summary>Identities drawn from the simulation's generator, so that a run's node IDs replay exactly.</summary>
public static class DeterministicIdentities
{
    /// <summary>
    /// The next identity of a run: a seed drawn from <paramref name="random"/> (the run's one generator)
    /// turned into a key meeting <paramref name="network"/>'s puzzles by <see cref="SeededIdentities"/>.
    /// </summary>
    public static NodeIdentity Create(Random random, NetworkParameters network)
    {
        ArgumentNullException.ThrowIfNull(random);
        return SeededIdentities.Create(network, random.Next(), 0);
    }
}
