namespace Kademlia.Workloads;

/// <summary>What one kind of operation measured over a workload.</summary>
/// <param name="Name">The operation ("announce", "find providers", "get immutable", ...).</param>
/// <param name="Attempts">Operations run.</param>
/// <param name="Succeeded">Operations that achieved what they were asked (a get: the value put, at the sequence put last).</param>
/// <param name="LatencyMs">From the call to its completion, in milliseconds, as the caller sees it.</param>
/// <param name="FirstResultMs">For find-providers: from the call to the first provider, in milliseconds; otherwise null.</param>
/// <param name="Messages">Requests sent on behalf of each operation (including retries).</param>
/// <param name="Hops">Lookup depth of each operation.</param>
/// <param name="StoredOn">For puts and announces: nodes that acknowledged storing each record; otherwise null.</param>
public sealed record OperationReport(
    string Name,
    int Attempts,
    int Succeeded,
    Distribution LatencyMs,
    Distribution? FirstResultMs,
    Distribution Messages,
    Distribution Hops,
    Distribution? StoredOn)
{
    /// <summary>Succeeded over attempts, in [0, 1]; 1 when nothing was attempted.</summary>
    public double SuccessRate => Attempts == 0 ? 1 : (double)Succeeded / Attempts;
}
