using Kademlia.Identity;

namespace Kademlia.Lookup;

/// <summary>The knobs of one lookup.</summary>
/// <param name="K">How many closest nodes to find.</param>
/// <param name="Alpha">Queries in flight (per path) while progress is made.</param>
/// <param name="DisjointPaths">The number d of disjoint paths (1 for a plain lookup).</param>
/// <param name="MinTimeout">Shortest request timeout, whatever the RTT estimate.</param>
/// <param name="MaxTimeout">Longest request timeout, used before any RTT is known.</param>
public sealed record LookupOptions(int K, int Alpha, int DisjointPaths, TimeSpan MinTimeout, TimeSpan MaxTimeout)
{
    /// <summary>The options a network's parameters imply.</summary>
    public static LookupOptions From(NetworkParameters network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return new(network.K, network.Alpha, network.DisjointPaths, network.MinRequestTimeout, network.MaxRequestTimeout);
    }
}
