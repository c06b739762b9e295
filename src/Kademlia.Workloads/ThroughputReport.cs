namespace Kademlia.Workloads;

/// <summary>A request/response loop measured for a fixed time with a fixed window.</summary>
/// <param name="Completed">Answers received in time.</param>
/// <param name="Failed">Requests that got no valid answer (timed out, refused or lost).</param>
/// <param name="Seconds">The measured time.</param>
/// <param name="LatencyMs">Request to answer, in milliseconds, of the completed ones.</param>
public sealed record ThroughputReport(long Completed, long Failed, double Seconds, Distribution LatencyMs)
{
    /// <summary>Answers per second.</summary>
    public double PerSecond => Seconds > 0 ? Completed / Seconds : 0;
}
