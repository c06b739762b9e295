using Kademlia.Simulation.Invariants;

namespace Kademlia.Simulation.Tests;

public class SimulatorTests
{
    [Fact]
    public void The_same_seed_gives_an_identical_summary()
    {
        var options = new SimulationOptions
        {
            Nodes = 300,
            Seed = 11,
            Duration = TimeSpan.FromHours(3),
            Churn = new ChurnOptions(),
            Adversaries = new AdversaryOptions { Fraction = 0.1, Kind = AdversaryKind.Colluding, SybilPrefixes = 3 },
            UnreachableFraction = 0.1,
            LossRate = 0.02,
            DisjointPaths = 2,
            Lookups = 60,
            Records = 15,
        };

        var first = Simulator.Run(options).ToJson();
        var second = Simulator.Run(options).ToJson();
        Assert.Equal(first, second);
        Assert.NotEqual(first, Simulator.Run(options with { Seed = 12 }).ToJson());
    }

    [Fact]
    public void Every_one_of_100_lookups_in_a_500_node_network_succeeds()
    {
        var summary = Simulator.Run(new SimulationOptions { Nodes = 500, Seed = 21, Lookups = 100, Records = 20 });
        Assert.True(summary.FindNode.Succeeded == 100, $"{summary.FindNode.Succeeded} of 100 lookups found the closest node (seed 21)");
        Assert.True(summary.Get.Succeeded == 100, $"{summary.Get.Succeeded} of 100 gets succeeded (seed 21)");
        Assert.InRange(summary.Get.HopsP99, 0, 4);
        Assert.Empty(summary.Violations);
    }

    [Fact]
    public void Four_disjoint_paths_get_records_past_40_percent_colluders_where_one_path_misses()
    {
        // Colluders hide honest nodes behind each other and drop the records stored on them. Store
        // droppers alone would not test the paths: they route honestly, so one path already reaches
        // the honest replicas (100% at d = 1 in docs/EVALUATION.md).
        SimulationSummary Run(int paths) => Simulator.Run(new SimulationOptions
        {
            Nodes = 800,
            Seed = 22,
            DisjointPaths = paths,
            Lookups = 0,
            Gets = 200,
            Records = 40,
            Adversaries = new AdversaryOptions { Fraction = 0.4, Kind = AdversaryKind.Colluding },
        });

        var one = Run(1);
        var four = Run(4);

        Assert.True(one.Get.SuccessRate <= 0.97, $"one path got {one.Get.SuccessRate:P2} of the records: the attack is too weak to tell paths apart (seed 22)");
        Assert.True(four.Get.SuccessRate >= 0.99, $"four disjoint paths got {four.Get.SuccessRate:P2} of the records, one path {one.Get.SuccessRate:P2} (seed 22)");
    }

    [Fact]
    public void Records_stay_retrievable_through_churn_when_republished()
    {
        var summary = Simulator.Run(new SimulationOptions
        {
            Nodes = 400,
            Seed = 23,
            Duration = TimeSpan.FromHours(6),
            Churn = new ChurnOptions(),
            Lookups = 50,
            Records = 20,
        });
        var worst = summary.Timeline.Min(p => p.Retrievable);
        Assert.True(worst >= 0.95, $"retrievability fell to {worst:P1} (seed 23)");
        Assert.True(summary.Probes.SuccessRate >= 0.99, $"{summary.Probes.SuccessRate:P2} of probes succeeded (seed 23)");
        Assert.True(summary.Timeline.All(p => p.OnlineNodes < 400), "churn took nodes offline");
    }

    [Fact]
    public void IP_diversity_limits_keep_an_eclipse_from_filling_the_victims_table()
    {
        SimulationOptions Eclipse(bool limits) => new()
        {
            Nodes = 1000, Seed = 24, Lookups = 0, Records = 0, IpDiversityLimits = limits, Eclipse = new EclipseOptions { Attackers = 200 },
        };

        var on = Simulator.Run(Eclipse(true)).Eclipse!;
        var off = Simulator.Run(Eclipse(false)).Eclipse!;
        Assert.True(on.AttackerShare < 0.5, $"attackers hold {on.AttackerShare:P0} with limits on (seed 24)");
        Assert.True(off.AttackerShare > 0.9, $"attackers hold {off.AttackerShare:P0} with limits off (seed 24)");
        Assert.True(on.VictimLookupSuccess > off.VictimLookupSuccess);
    }

    [Fact]
    public void The_table_checker_reports_a_table_that_holds_its_owner()
    {
        var network = new MessageLevelNetwork(new SimulationOptions { Nodes = 50, Seed = 25 });
        var violations = new List<string>();
        new TableBoundsChecker().Check(network, violations);
        Assert.Empty(violations);

        network.Nodes[3].Table.Add(3);
        new TableBoundsChecker().Check(network, violations);
        Assert.Contains(violations, v => v.Contains("holds itself", StringComparison.Ordinal));
    }

    [Fact]
    public void The_table_checker_reports_a_contact_held_twice_and_a_subnet_over_its_limits()
    {
        var network = new MessageLevelNetwork(new SimulationOptions { Nodes = 400, Seed = 27 });
        var violations = new List<string>();
        var owner = network.Nodes[5];
        owner.Table.Add(owner.Table.Contacts[0]);
        new TableBoundsChecker().Check(network, violations);
        Assert.Contains(violations, v => v.Contains("node 5 holds a contact twice", StringComparison.Ordinal));

        // Eleven contacts of one /24 in another table: over the table's limit of 10 (the Sybils share one /24).
        violations.Clear();
        var sybils = new MessageLevelNetwork(new SimulationOptions
        {
            Nodes = 400, Seed = 28, Adversaries = new AdversaryOptions { Fraction = 0.3, Kind = AdversaryKind.Silent, SybilPrefixes = 1 },
        });
        new TableBoundsChecker().Check(sybils, violations);
        Assert.Empty(violations);
        var crowded = sybils.Nodes[6];
        foreach (var sybil in sybils.Nodes.Where(n => n.Behavior == NodeBehavior.Silent && !crowded.Table.Contains(n.Index)).Take(11))
        {
            crowded.Table.Add(sybil.Index);
        }

        new TableBoundsChecker().Check(sybils, violations);
        Assert.Contains(violations, v => v.Contains("node 6 exceeds the per-/24 table limit", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("node 6 bucket", StringComparison.Ordinal) && v.Contains("per-/24 limit", StringComparison.Ordinal));
    }

    [Fact]
    public void Sampled_tables_of_a_large_network_respect_bucket_and_subnet_bounds()
    {
        var network = new MessageLevelNetwork(new SimulationOptions
        {
            Nodes = 5000, Seed = 26, Adversaries = new AdversaryOptions { Fraction = 0.3, Kind = AdversaryKind.Silent, SybilPrefixes = 2 },
        });
        var violations = new List<string>();
        new TableBoundsChecker().Check(network, violations);
        Assert.Empty(violations);
        Assert.InRange(network.Nodes.Average(n => n.Table.Count), 150, 400);
    }

    [Fact]
    public void Full_wire_mode_finds_the_closest_node_and_the_stored_values()
    {
        var summary = WireSimulator.Run(new SimulationOptions { Nodes = 15, Seed = 27, Lookups = 10, Gets = 10, Records = 3 });
        Assert.Equal("wire", summary.Mode);
        Assert.True(summary.FindNode.SuccessRate == 1, $"{summary.FindNode.Succeeded} of 10 (seed 27)");
        Assert.True(summary.Get.SuccessRate == 1, $"{summary.Get.Succeeded} of 10 (seed 27)");
    }
}
