using Kademlia.Identity;
using System.Text.Json;

namespace Kademlia.Workloads.Tests;

/// <summary>
/// The <c>kad bench network</c> workload at a tiny size, so that the benchmark cannot rot. Nothing here
/// asserts a duration: the machine running the tests may be arbitrarily slow.
/// </summary>
public sealed class NetworkWorkloadTests
{
    /// <summary>
    /// The test network with a 2 s shortest request timeout instead of 250 ms: these runs share two cores
    /// with the other test projects, and a stall past 250 ms failed an operation (CI, "allSucceeded").
    /// </summary>
    private static readonly NetworkParameters Patient = NetworkParameters.Test with { MinRequestTimeout = TimeSpan.FromSeconds(2) };

    private static readonly NetworkWorkloadOptions Tiny = new()
    {
        Cluster = new LoopbackClusterOptions { Nodes = 8, Seed = 7, Network = Patient },
        Lookups = 4,
        Puts = 4,
        Mutables = 2,
        FindNodes = 4,
    };

    [Fact]
    public async Task Every_operation_of_a_tiny_workload_succeeds()
    {
        var report = await NetworkWorkload.RunAsync(Tiny);

        Assert.Equal(8, report.Nodes);
        Assert.Equal(0, report.FailedJoins);
        Assert.All(report.Operations, op => Assert.Equal(op.Attempts, op.Succeeded));
        Assert.Equal(
            ["announce", "find providers", "put immutable", "get immutable", "put mutable", "get mutable", "find node"],
            report.Operations.Select(o => o.Name));
        Assert.Equal([4, 4, 4, 4, 4, 4, 4], report.Operations.Select(o => o.Attempts));
        Assert.True(report.AllSucceeded);
        // In a network smaller than k every node is among the k closest: every other node stores.
        Assert.All(report.Operations.Where(o => o.StoredOn is not null), op => Assert.True(op.StoredOn!.Min >= 1));
        Assert.All(report.Operations.Where(o => o.Name == "find providers"), op => Assert.Equal(4, op.FirstResultMs!.Count));
        Assert.Equal(7, report.TableSizes.Max);
    }

    [Fact]
    public async Task The_report_is_one_json_object_with_the_documented_fields()
    {
        var report = await NetworkWorkload.RunAsync(new NetworkWorkloadOptions
        {
            Cluster = new LoopbackClusterOptions { Nodes = 4, Seed = 3, Network = Patient },
            Lookups = 1,
            Puts = 1,
            Mutables = 1,
        });

        using var json = JsonDocument.Parse(report.ToJson());
        var root = json.RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        Assert.Equal(4, root.GetProperty("nodes").GetInt32());
        Assert.True(root.GetProperty("allSucceeded").GetBoolean(), "failed: " + string.Join(", ", report.Operations.Where(o => o.Succeeded != o.Attempts).Select(o => $"{o.Name} {o.Succeeded}/{o.Attempts}")));
        Assert.True(root.GetProperty("bootstrapMs").GetDouble() > 0);
        Assert.Equal(3, root.GetProperty("tableSizes").GetProperty("p50").GetDouble());
        var operations = root.GetProperty("operations").EnumerateArray().ToList();
        Assert.Equal(6, operations.Count);
        foreach (var op in operations)
        {
            Assert.Equal(1.0, op.GetProperty("successRate").GetDouble());
            foreach (var field in new[] { "latencyMs", "messages", "hops" })
            {
                var summary = op.GetProperty(field);
                Assert.True(summary.GetProperty("p50").GetDouble() <= summary.GetProperty("p95").GetDouble());
                Assert.True(summary.GetProperty("p95").GetDouble() <= summary.GetProperty("max").GetDouble());
            }
        }
    }

    [Fact]
    public async Task The_same_seed_builds_the_same_network()
    {
        var options = new LoopbackClusterOptions { Nodes = 3, Seed = 11 };
        await using var first = await LoopbackCluster.StartAsync(options);
        await using var second = await LoopbackCluster.StartAsync(options);
        Assert.Equal(first.Nodes.Select(n => n.Id), second.Nodes.Select(n => n.Id));
    }
}
