using Kademlia.Identity;
using Kademlia.Lookup;

namespace Kademlia.Simulation;

/// <summary>What one simulated lookup did.</summary>
/// <param name="Target">The ID looked up.</param>
/// <param name="Result">The nodes that answered, closest first (at most k).</param>
/// <param name="TrueClosest">The k closest online honest nodes of the whole network, for comparison.</param>
/// <param name="Hops">Depth of the closest answering node.</param>
/// <param name="Messages">Queries sent.</param>
/// <param name="Duration">Virtual time from start to finish.</param>
/// <param name="Path">The referral chain to the closest answering node, from the first hop to the last.</param>
public sealed record LookupOutcome(
    NodeId Target,
    IReadOnlyList<LookupCandidate> Result,
    IReadOnlyList<NodeId> TrueClosest,
    int Hops,
    int Messages,
    TimeSpan Duration,
    IReadOnlyList<LookupCandidate> Path)
{
    /// <summary>
    /// Whether the closest honest online node of the network answered: the one a GET must reach.
    /// Adversaries may legitimately sit closer, so it need not be the first of the result.
    /// </summary>
    public bool FoundClosest => TrueClosest.Count > 0 && Result.Any(c => c.Node.Id == TrueClosest[0]);

    /// <summary>How many of the true k closest the result holds.</summary>
    public int Overlap => Result.Select(c => c.Node.Id).Intersect(TrueClosest).Count();
}
