using Kademlia.Simulation;
using ScottPlot;

namespace Kademlia.Cli.Commands;

/// <summary>The PNG plots of one simulated run (ScottPlot).</summary>
internal static class Plots
{
    private const int Width = 800;
    private const int Height = 500;

    public static void WriteAll(SimulationSummary summary, string directory)
    {
        Cdf(summary, directory, "hops-cdf.png", "Lookup hops CDF", "hops", s => s.Hops, step: true);
        Cdf(summary, directory, "latency-cdf.png", "Lookup latency CDF", "latency (ms, virtual)", s => s.LatencyMs, step: false);
        Cdf(summary, directory, "messages-cdf.png", "Messages per lookup CDF", "requests sent", s => s.Messages, step: true);
        SuccessRate(summary, directory);
        if (summary.Timeline.Count > 1)
        {
            Survival(summary, directory);
            TableHealth(summary, directory);
        }
    }

    private static void Cdf(SimulationSummary summary, string directory, string file, string title, string xLabel, Func<OperationSample, double> value, bool step)
    {
        var plot = new Plot();
        foreach (var kind in new[] { OperationKind.FindNode, OperationKind.Get })
        {
            var values = summary.Samples.Where(s => s.Kind == kind && s.Succeeded).Select(value).Order().ToArray();
            if (values.Length == 0) continue;
            var ys = Enumerable.Range(1, values.Length).Select(i => (double)i / values.Length).ToArray();
            var line = plot.Add.Scatter(values, ys);
            line.MarkerSize = 0;
            line.ConnectStyle = step ? ConnectStyle.StepHorizontal : ConnectStyle.Straight;
            line.LegendText = kind == OperationKind.FindNode ? "FIND_NODE" : "GET";
        }

        plot.Title($"{title}: {summary.Scenario}");
        plot.XLabel(xLabel);
        plot.YLabel("fraction of successful operations");
        plot.ShowLegend();
        plot.SavePng(Path.Combine(directory, file), Width, Height);
    }

    private static void SuccessRate(SimulationSummary summary, string directory)
    {
        var plot = new Plot();
        var rows = new (string Name, OperationStats Stats)[]
        {
            ("FIND_NODE", summary.FindNode), ("GET", summary.Get), ("PUT", summary.Put), ("republish", summary.Republish), ("probe GET", summary.Probes),
        }.Where(r => r.Stats.Count > 0).ToArray();
        var bars = plot.Add.Bars(rows.Select(r => r.Stats.SuccessRate * 100).ToArray());
        foreach (var bar in bars.Bars)
        {
            bar.Label = $"{bar.Value:F2}%";
        }

        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, rows.Length).Select(i => (double)i).ToArray(), rows.Select(r => r.Name).ToArray());
        plot.Axes.SetLimitsY(0, 105);
        plot.Title($"Success rate: {summary.Scenario}");
        plot.YLabel("% succeeded");
        plot.SavePng(Path.Combine(directory, "success-rate.png"), Width, Height);
    }

    private static void Survival(SimulationSummary summary, string directory)
    {
        var plot = new Plot();
        var hours = summary.Timeline.Select(p => p.Hours).ToArray();
        var retrieved = plot.Add.Scatter(hours, summary.Timeline.Select(p => p.Retrievable * 100).ToArray());
        retrieved.LegendText = "retrieved by a GET";
        var replicated = plot.Add.Scatter(hours, summary.Timeline.Select(p => p.Replicated * 100).ToArray());
        replicated.LegendText = "held by a live honest node";
        plot.Title($"Record survival: {summary.Scenario}");
        plot.XLabel("hours (virtual)");
        plot.YLabel("% of records");
        plot.ShowLegend();
        plot.SavePng(Path.Combine(directory, "record-survival.png"), Width, Height);
    }

    private static void TableHealth(SimulationSummary summary, string directory)
    {
        var plot = new Plot();
        var hours = summary.Timeline.Select(p => p.Hours).ToArray();
        var live = plot.Add.Scatter(hours, summary.Timeline.Select(p => p.LiveContactFraction * 100).ToArray());
        live.LegendText = "% of contacts that answer";
        var size = plot.Add.Scatter(hours, summary.Timeline.Select(p => p.MeanContacts).ToArray());
        size.LegendText = "mean contacts per table";
        plot.Title($"Routing-table health: {summary.Scenario}");
        plot.XLabel("hours (virtual)");
        plot.ShowLegend();
        plot.SavePng(Path.Combine(directory, "table-health.png"), Width, Height);
    }
}
