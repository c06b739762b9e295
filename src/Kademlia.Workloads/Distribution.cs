namespace Kademlia.Workloads;

/// <summary>A summary of measured values (milliseconds, messages, nodes, ...).</summary>
/// <param name="Count">How many values were measured.</param>
/// <param name="Min">The smallest.</param>
/// <param name="Mean">The arithmetic mean.</param>
/// <param name="P50">The median (nearest rank).</param>
/// <param name="P95">The 95th percentile (nearest rank).</param>
/// <param name="P99">The 99th percentile (nearest rank).</param>
/// <param name="Max">The largest.</param>
public sealed record Distribution(int Count, double Min, double Mean, double P50, double P95, double P99, double Max)
{
    /// <summary>The summary of no values: every field 0.</summary>
    public static Distribution Empty { get; } = new(0, 0, 0, 0, 0, 0, 0);

    /// <summary>Summarizes <paramref name="values"/>.</summary>
    public static Distribution Of(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return Empty;
        }

        return new Distribution(sorted.Length, sorted[0], sorted.Average(), Rank(sorted, 0.50), Rank(sorted, 0.95), Rank(sorted, 0.99), sorted[^1]);
    }

    // Nearest rank: the smallest value with at least p of the values at or below it, so a
    // percentile is always a value that was measured.
    private static double Rank(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
