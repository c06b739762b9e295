using System.Text.Json;

namespace Kademlia.Workloads.Tests;

/// <summary><c>kad bench ping</c> for a fraction of a second: both loops answer and the JSON holds.</summary>
public sealed class PingWorkloadTests
{
    [Fact]
    public async Task Both_loops_get_answers_and_the_report_is_json()
    {
        var report = await PingWorkload.RunAsync(new PingWorkloadOptions
        {
            Window = 4,
            Duration = TimeSpan.FromMilliseconds(300),
            Warmup = TimeSpan.Zero,
        });

        Assert.True(report.Nodes.Completed > 0);
        Assert.True(report.RawUdp.Completed > 0);
        Assert.Equal(0, report.Nodes.Failed);
        Assert.InRange(report.DatagramBytes, 8, 1280);
        using var json = JsonDocument.Parse(report.ToJson());
        Assert.Equal(4, json.RootElement.GetProperty("window").GetInt32());
        Assert.True(json.RootElement.GetProperty("ratio").GetDouble() > 0);
    }

    [Fact]
    public void Percentiles_are_measured_values_by_nearest_rank()
    {
        var summary = Distribution.Of(Enumerable.Range(1, 100).Select(i => (double)i));
        Assert.Equal((100, 1.0, 50.5, 50.0, 95.0, 99.0, 100.0), (summary.Count, summary.Min, summary.Mean, summary.P50, summary.P95, summary.P99, summary.Max));
        Assert.Equal(Distribution.Empty, Distribution.Of([]));
    }
}
