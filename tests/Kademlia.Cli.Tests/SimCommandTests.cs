using System.Xml.Linq;

namespace Kademlia.Cli.Tests;

/// <summary><c>kad sim</c> as a process: the summary and the plots it writes.</summary>
public sealed class SimCommandTests
{
    [Fact]
    public async Task Sim_with_out_writes_the_summary_and_every_plot_as_an_svg_document()
    {
        using var directory = new TempDirectory();
        var output = directory.Sub("run");

        var run = await Kad.RunAsync("sim", "--nodes", "100", "--lookups", "20", "--records", "5", "--duration", "2h", "--churn", "1h", "--out", output);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(File.Exists(Path.Combine(output, "summary.json")), run.ToString());
        var plots = Directory.GetFiles(output, "*.svg").Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(
            new[] { "hops-cdf.svg", "latency-cdf.svg", "messages-cdf.svg", "record-survival.svg", "success-rate.svg", "table-health.svg" },
            plots);
        foreach (var plot in plots)
        {
            var root = XDocument.Load(Path.Combine(output, plot!)).Root!;
            Assert.Equal("svg", root.Name.LocalName);
            Assert.Contains(root.Descendants(), e => e.Name.LocalName is "polyline" or "rect");
        }
    }
}
