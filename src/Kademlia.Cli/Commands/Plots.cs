using Kademlia.Cli.Charts;
using Kademlia.Simulation;

namespace Kademlia.Cli.Commands;

/// <summary>
/// The SVG plots of one simulated run, drawn by <see cref="LineChart"/> and <see cref="BarChart"/>:
/// plain files with no native rendering library behind them, so the <c>kad</c> tool stays small.
/// </summary>
internal static class Plots
{
    public static void WriteAll(SimulationSummary summary, string directory)
    {
        Cdf(summary, directory, "hops-cdf.svg", "Lookup hops CDF", "hops", s => s.Hops, LineShape.Step);
        Cdf(summary, directory, "latency-cdf.svg", "Lookup latency CDF", "latency (ms, virtual)", s => s.LatencyMs, LineShape.Straight);
        Cdf(summary, directory, "messages-cdf.svg", "Messages per lookup CDF", "requests sent", s => s.Messages, LineShape.Step);
        SuccessRate(summary, directory);
        if (summary.Timeline.Count > 1)
        {
            Survival(summary, directory);
            TableHealth(summary, directory);
        }
    }

    /// <summary>The fraction of samples at or below each distinct value: one point per value, not per sample.</summary>
    internal static IReadOnlyList<ChartPoint> CumulativeFractions(IEnumerable<double> samples)
    {
        var sorted = samples.Order().ToArray();
        var points = new List<ChartPoint>();
        for (var i = 0; i < sorted.Length; i++)
        {
            if (i + 1 == sorted.Length || sorted[i + 1] != sorted[i])
            {
                points.Add(new ChartPoint(sorted[i], (i + 1.0) / sorted.Length));
            }
        }

        return points;
    }

    private static void Cdf(SimulationSummary summary, string directory, string file, string title, string xLabel, Func<OperationSample, double> value, LineShape shape)
    {
        var series = new List<ChartSeries>();
        foreach (var (kind, name) in new[] { (OperationKind.FindNode, "FIND_NODE"), (OperationKind.Get, "GET") })
        {
            var values = summary.Samples.Where(s => s.Kind == kind && s.Succeeded).Select(value).ToList();
            if (values.Count > 0)
            {
                series.Add(new ChartSeries(name, CumulativeFractions(values), shape));
            }
        }

        Write(directory, file, new LineChart { Title = $"{title}: {summary.Scenario}", XLabel = xLabel, YLabel = "fraction of successful operations", Series = series }.ToSvg());
    }

    private static void SuccessRate(SimulationSummary summary, string directory)
    {
        var bars = new (string Name, OperationStats Stats)[]
        {
            ("FIND_NODE", summary.FindNode), ("GET", summary.Get), ("PUT", summary.Put), ("republish", summary.Republish), ("probe GET", summary.Probes),
        }
            .Where(r => r.Stats.Count > 0)
            .Select(r => new ChartBar(r.Name, r.Stats.SuccessRate * 100, $"{r.Stats.SuccessRate * 100:F2}%"))
            .ToList();
        Write(directory, "success-rate.svg", new BarChart { Title = $"Success rate: {summary.Scenario}", YLabel = "% succeeded", Bars = bars, YMax = 110 }.ToSvg());
    }

    private static void Survival(SimulationSummary summary, string directory)
    {
        var series = new List<ChartSeries>
        {
            new("retrieved by a GET", Over(summary, p => p.Retrievable * 100), Markers: true),
            new("held by a live honest node", Over(summary, p => p.Replicated * 100), Markers: true),
        };
        Write(directory, "record-survival.svg", new LineChart { Title = $"Record survival: {summary.Scenario}", XLabel = "hours (virtual)", YLabel = "% of records", Series = series }.ToSvg());
    }

    private static void TableHealth(SimulationSummary summary, string directory)
    {
        var series = new List<ChartSeries>
        {
            new("% of contacts that answer", Over(summary, p => p.LiveContactFraction * 100), Markers: true),
            new("mean contacts per table", Over(summary, p => p.MeanContacts), Markers: true),
        };
        Write(directory, "table-health.svg", new LineChart { Title = $"Routing-table health: {summary.Scenario}", XLabel = "hours (virtual)", Series = series }.ToSvg());
    }

    private static List<ChartPoint> Over(SimulationSummary summary, Func<TimelinePoint, double> value) =>
        summary.Timeline.Select(p => new ChartPoint(p.Hours, value(p))).ToList();

    private static void Write(string directory, string file, string svg) => File.WriteAllText(Path.Combine(directory, file), svg);
}
