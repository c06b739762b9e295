using CsCheck;
using Kademlia.Identity;

namespace Kademlia.Simulation.Tests;

public class LookupOnNetworkTests
{
    private static readonly TimeSpan MedianRtt = TimeSpan.FromMilliseconds(50);

    [Fact]
    public void Every_lookup_in_a_500_node_network_finds_the_closest_node_and_nearly_all_k_closest()
    {
        // Buckets hold k contacts each, so a node crowded out of every table near the target can be
        // missed: Kademlia promises the closest node, and the k closest only with high probability.
        var network = new MessageLevelNetwork(500, seed: 1, NetworkParameters.Test, MedianRtt);
        var random = new Random(2);
        var overlaps = new List<int>();
        for (var i = 0; i < 100; i++)
        {
            var outcome = network.RunLookup(random.Next(500), network.RandomTarget());
            Assert.True(outcome.FoundClosest, $"lookup {i} (seed 1) missed the closest node");
            Assert.True(outcome.Overlap >= network.Network.K - 2, $"lookup {i} (seed 1) found {outcome.Overlap} of the k closest");
            Assert.InRange(outcome.Hops, 1, 4);
            overlaps.Add(outcome.Overlap);
        }

        Assert.True(overlaps.Average() >= 19.5, $"mean overlap {overlaps.Average()} (seed 1)");
    }

    [Fact]
    public void Lookups_find_the_closest_node_in_random_small_networks() =>
        Gen.Select(Gen.Int[2, 300], Gen.Int).Sample((size, seed) =>
        {
            var network = new MessageLevelNetwork(size, seed, NetworkParameters.Test, MedianRtt);
            var outcome = network.RunLookup(0, network.RandomTarget());
            return outcome.FoundClosest && outcome.Overlap >= Math.Min(network.Network.K, size - 1) - 2;
        }, iter: 40);

    [Fact]
    public void The_same_seed_reproduces_the_same_lookups()
    {
        static string Run()
        {
            var network = new MessageLevelNetwork(300, seed: 77, NetworkParameters.Test, MedianRtt);
            return string.Join(";", Enumerable.Range(0, 20).Select(i =>
            {
                var o = network.RunLookup(i, network.RandomTarget());
                return $"{o.Target}:{o.Hops}:{o.Messages}:{o.Duration.Ticks}:{string.Join(",", o.Result.Select(c => c.Node.Id.ToShortString()))}";
            }));
        }

        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void Lookups_route_around_silent_nodes()
    {
        var network = new MessageLevelNetwork(400, seed: 5, NetworkParameters.Test, MedianRtt);
        var random = new Random(6);
        foreach (var node in network.Nodes.Skip(1).Where(_ => random.NextDouble() < 0.3))
        {
            node.Behavior = NodeBehavior.Silent;
        }

        for (var i = 0; i < 30; i++)
        {
            var outcome = network.RunLookup(0, network.RandomTarget());
            Assert.True(outcome.FoundClosest, $"lookup {i} (seed 5) missed the closest live node");
            Assert.All(outcome.Result, c => Assert.Equal(NodeBehavior.Honest, network.Nodes.Single(n => n.Info.Id == c.Node.Id).Behavior));
        }
    }

    [Fact]
    public void Disjoint_paths_resist_colluders_better_than_one_path()
    {
        var network = new MessageLevelNetwork(600, seed: 9, NetworkParameters.Test, MedianRtt);
        var random = new Random(10);
        foreach (var node in network.Nodes.Skip(1).Where(_ => random.NextDouble() < 0.2))
        {
            node.Behavior = NodeBehavior.Colluding;
        }

        var targets = Enumerable.Range(0, 150).Select(_ => network.RandomTarget()).ToList();
        var single = targets.Count(t => network.RunLookup(0, t, disjointPaths: 1).FoundClosest);
        var four = targets.Count(t => network.RunLookup(0, t, disjointPaths: 4).FoundClosest);
        Assert.True(four >= single, $"d = 4 found {four}, d = 1 found {single} of 150 (seed 9)");
        Assert.True(four >= 147, $"d = 4 found the closest node in {four} of 150 lookups (seed 9)");
    }
}
