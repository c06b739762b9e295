using Kademlia.Simulation.Invariants;

namespace Kademlia.Simulation.Tests;

/// <summary>
/// Lazy tables (issue 13, item 5): a table drawn when first read must be the table the eager build would
/// have drawn in distribution, obey the same bounds, and only the tables a run reads are drawn.
/// </summary>
public class LazyTablesTests
{
    private static SimulationOptions Options(bool lazy) => new() { Nodes = 5_000, Seed = 31, Lookups = 300, Records = 30, LazyTables = lazy };

    [Fact]
    public void A_lazy_network_draws_only_the_tables_a_run_reads()
    {
        var network = new MessageLevelNetwork(Options(lazy: true));
        Assert.Equal(0, network.TablesDrawn);

        var summary = Simulator.Run(network);

        Assert.InRange(summary.TablesDrawn, 1, network.Nodes.Count - 1);
        Assert.Equal(network.TablesDrawn, summary.TablesDrawn);
        Assert.Equal(5_000, new MessageLevelNetwork(Options(lazy: false)).TablesDrawn);
    }

    [Fact]
    public void Lazily_drawn_tables_obey_the_bucket_and_subnet_bounds_and_are_as_full_as_eager_ones()
    {
        var lazy = new MessageLevelNetwork(Options(lazy: true) with
        {
            Adversaries = new AdversaryOptions { Fraction = 0.3, Kind = AdversaryKind.Silent, SybilPrefixes = 2 },
        });
        var eager = new MessageLevelNetwork(Options(lazy: false) with
        {
            Adversaries = new AdversaryOptions { Fraction = 0.3, Kind = AdversaryKind.Silent, SybilPrefixes = 2 },
        });

        // Read every table of the lazy network: each is drawn now, one after the other.
        var lazyMean = lazy.Nodes.Average(n => n.Table.Count);
        var eagerMean = eager.Nodes.Average(n => n.Table.Count);
        var violations = new List<string>();
        new TableBoundsChecker().Check(lazy, violations);

        Assert.Empty(violations);
        Assert.True(Math.Abs(lazyMean - eagerMean) < 0.05 * eagerMean, $"mean table size lazy {lazyMean:F1} vs eager {eagerMean:F1} (seed 31)");
    }

    [Fact]
    public void Lookups_over_lazy_tables_succeed_as_over_eager_ones_in_the_same_number_of_hops()
    {
        var lazy = Simulator.Run(Options(lazy: true));
        var eager = Simulator.Run(Options(lazy: false));

        Assert.True(lazy.FindNode.Succeeded == 300, $"{lazy.FindNode.Succeeded} of 300 lookups over lazy tables found the closest node (seed 31)");
        Assert.True(lazy.Get.Succeeded == eager.Get.Succeeded, $"GETs: {lazy.Get.Succeeded} lazy vs {eager.Get.Succeeded} eager (seed 31)");
        Assert.InRange(lazy.FindNode.HopsP50, eager.FindNode.HopsP50 - 1, eager.FindNode.HopsP50 + 1);
        Assert.True(Math.Abs(lazy.FindNode.MessagesMean - eager.FindNode.MessagesMean) < 0.1 * eager.FindNode.MessagesMean,
            $"messages per FIND_NODE lazy {lazy.FindNode.MessagesMean} vs eager {eager.FindNode.MessagesMean} (seed 31)");
        Assert.Empty(lazy.Violations);
    }

    [Fact]
    public void Lazy_tables_refuse_what_would_change_the_network_before_a_table_is_read()
    {
        Assert.Throws<NotSupportedException>(() => new MessageLevelNetwork(Options(lazy: true) with { Churn = new ChurnOptions(), Duration = TimeSpan.FromHours(1) }));
        Assert.Throws<NotSupportedException>(() => new MessageLevelNetwork(Options(lazy: true) with { Eclipse = new EclipseOptions() }));
        Assert.Throws<NotSupportedException>(() => new MessageLevelNetwork(Options(lazy: true) with { JoinedTables = true }));
    }
}
