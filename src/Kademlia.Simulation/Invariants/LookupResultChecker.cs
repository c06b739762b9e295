namespace Kademlia.Simulation.Invariants;

/// <summary>
/// A lookup's result holds at most k distinct nodes, closest first, every one of which answered
/// (never a node merely heard of: a pitfall of the implementation this one descends from).
/// </summary>
public static class LookupResultChecker
{
    /// <summary>Adds a line to <paramref name="violations"/> for every broken rule of <paramref name="outcome"/>.</summary>
    public static void Check(MessageLevelNetwork network, LookupOutcome outcome, ICollection<string> violations)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(violations);
        var result = outcome.Result;
        if (result.Count > network.Network.K)
        {
            violations.Add($"lookup result: {result.Count} nodes > k");
        }

        for (var i = 1; i < result.Count; i++)
        {
            if (outcome.Target.CompareDistance(result[i - 1].Node.Id, result[i].Node.Id) >= 0)
            {
                violations.Add($"lookup result: not sorted by distance at {i}");
                break;
            }
        }

        if (result.Any(c => c.State != Lookup.CandidateState.Succeeded))
        {
            violations.Add("lookup result: holds a node that never answered");
        }
    }
}
