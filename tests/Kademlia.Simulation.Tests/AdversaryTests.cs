namespace Kademlia.Simulation.Tests;

/// <summary>The stronger adversaries of issue 13: key-targeted Sybils, table poisoning and eclipses measured at several d.</summary>
public class AdversaryTests
{
    [Fact]
    public void Sybils_ground_next_to_a_key_take_every_replica_at_k_per_key_and_leave_some_at_five()
    {
        SimulationSummary Run(int perKey) => Simulator.Run(new SimulationOptions
        {
            Nodes = 600, Seed = 31, Lookups = 50, Gets = 200, Records = 20, DisjointPaths = 4,
            Sybils = new SybilOptions { Targets = 20, PerTarget = perKey },
        });

        var twenty = Run(20);
        var five = Run(5);

        Assert.True(twenty.Sybils!.TargetedGetSuccess == 0, $"GETs found {twenty.Sybils.TargetedGetSuccess:P1} of the records 20 Sybils per key sit on (seed 31)");
        Assert.True(five.Sybils!.TargetedGetSuccess >= 0.95, $"with 5 Sybils per key GETs found {five.Sybils.TargetedGetSuccess:P1} (seed 31)");
        // Closer than every one of 600 nodes: at least log2(600) ≈ 9.2 bits in common with the key.
        Assert.InRange(twenty.Sybils.MeanBucket, 9, 20);
        // 2^(b+1+12) per ID: the log of the mean is at least the mean of the logs (b + 13) and, with buckets a few apart, not far above it.
        Assert.InRange(twenty.Sybils.Log2KeyGenerationsPerSybil, twenty.Sybils.MeanBucket + 13, twenty.Sybils.MeanBucket + 16);
        Assert.Equal(Math.Log2(20 * 20), twenty.Sybils.Log2KeyGenerationsTotal - twenty.Sybils.Log2KeyGenerationsPerSybil, 0.01);
    }

    [Fact]
    public void Every_sybil_is_closer_to_its_key_than_every_other_node()
    {
        var network = new MessageLevelNetwork(new SimulationOptions { Nodes = 400, Seed = 32, Sybils = new SybilOptions { Targets = 3, PerTarget = 4 } });
        for (var record = 0; record < 3; record++)
        {
            network.Publish(1, MessageLevelNetwork.Epoch);
        }

        for (var record = 0; record < 3; record++)
        {
            var key = network.RecordKeys[record];
            var closest = network.Nodes.OrderBy(n => n.Info.Id ^ key).Take(4).ToList();
            Assert.All(closest, n => Assert.True(n.SybilBucket >= 0 && n.Behavior == NodeBehavior.Colluding, $"node {n.Index} among the 4 closest to key {record} is not a Sybil"));
            Assert.All(closest, n => Assert.Equal(n.SybilBucket, key.CommonPrefixLength(n.Info.Id)));
        }
    }

    [Fact]
    public void Poisoners_dead_addresses_cost_timeouts_but_hide_no_node()
    {
        SimulationSummary Run(int paths) => Simulator.Run(new SimulationOptions
        {
            Nodes = 800, Seed = 33, Lookups = 300, Gets = 100, Records = 20, DisjointPaths = paths,
            Adversaries = new AdversaryOptions { Fraction = 0.2, Kind = AdversaryKind.Poisoning },
        });

        foreach (var paths in new[] { 1, 4 })
        {
            var summary = Run(paths);
            Assert.True(summary.DeadAddressQueries > 300, $"only {summary.DeadAddressQueries} queries went to dead addresses at d = {paths}: the poisoners did not poison (seed 33)");
            Assert.True(summary.FindNode.SuccessRate >= 0.99, $"FIND_NODE reached the closest honest node {summary.FindNode.SuccessRate:P2} at d = {paths} (seed 33)");
            Assert.True(summary.Get.SuccessRate >= 0.99, $"GET {summary.Get.SuccessRate:P2} at d = {paths} (seed 33)");
        }
    }

    [Fact]
    public void Disjoint_paths_reach_an_eclipsed_victim_that_one_path_misses()
    {
        var eclipse = Simulator.Run(new SimulationOptions
        {
            Nodes = 1000, Seed = 34, Lookups = 0, Records = 0, Eclipse = new EclipseOptions { Attackers = 200 },
        }).Eclipse!;

        var at = eclipse.ByPaths.ToDictionary(p => p.DisjointPaths);
        Assert.Equal([1, 2, 4, 8], at.Keys);
        Assert.True(at[1].ReachedVictim <= 0.6, $"one path reached the eclipsed victim {at[1].ReachedVictim:P1}: the attack is too weak to tell d apart (seed 34)");
        Assert.True(at[4].ReachedVictim >= 0.95, $"four paths reached it {at[4].ReachedVictim:P1}, one {at[1].ReachedVictim:P1} (seed 34)");
        Assert.True(at[8].MessagesMean > at[1].MessagesMean * 4, "eight paths cost more than four times the requests of one");
        Assert.True(eclipse.ClosestHonestHoldingVictim > 0, "with sampled tables some of the victim's closest honest nodes hold it");
    }

    [Fact]
    public void A_victim_joining_last_among_its_attackers_is_missing_from_the_tables_near_its_id()
    {
        EclipseReport Run(int attackers) => Simulator.Run(new SimulationOptions
        {
            Nodes = 600, Seed = 35, Lookups = 0, Records = 0, JoinedTables = true, Eclipse = new EclipseOptions { Attackers = attackers, MeasuredPaths = [1, 4] },
        }).Eclipse!;

        var alone = Run(0);
        var attacked = Run(120);

        // Without attackers the same late join puts the victim in its neighbours' tables and lookups find it.
        Assert.True(alone.ClosestHonestHoldingVictim >= 10, $"{alone.ClosestHonestHoldingVictim} of the 20 closest hold a victim that joined unattacked (seed 35)");
        Assert.All(alone.ByPaths, p => Assert.True(p.ReachedVictim >= 0.95, $"d = {p.DisjointPaths}: {p.ReachedVictim:P1} unattacked (seed 35)"));
        // With them its join only ever reaches attackers near its ID: no honest neighbour learns it, so no d finds it.
        Assert.True(attacked.ClosestHonestHoldingVictim == 0, $"{attacked.ClosestHonestHoldingVictim} of the 20 closest honest nodes hold the attacked victim (seed 35)");
        Assert.All(attacked.ByPaths, p => Assert.True(p.ReachedVictim <= 0.05, $"d = {p.DisjointPaths}: {p.ReachedVictim:P1} of lookups reached the attacked victim (seed 35)"));
    }

    [Fact]
    public void The_honest_nodes_nearest_a_victim_joining_among_its_attackers_had_room_for_it_so_it_never_reached_them()
    {
        var network = new MessageLevelNetwork(new SimulationOptions
        {
            Nodes = 600, Seed = 35, Lookups = 0, Records = 0, JoinedTables = true, Eclipse = new EclipseOptions { Attackers = 120 },
        });
        var victim = network.Nodes[0];
        var nearest = network.Nodes.Where(n => n.Index != 0 && n.Behavior == NodeBehavior.Honest)
            .OrderBy(n => n.Info.Id ^ victim.Info.Id).Take(network.Network.K).ToList();

        // None holds the victim, and each had room in the bucket the victim falls in: a query from the victim
        // (a queried node learns its asker) would have put it there. So the victim's join never queried them.
        Assert.All(nearest, n => Assert.False(n.Table.Contains(0), $"node {n.Index} holds the victim"));
        Assert.All(nearest, n =>
        {
            var bucket = network.BucketOf(n, 0);
            var inBucket = n.Table.Contacts.Count(c => network.BucketOf(n, c) == bucket);
            Assert.True(inBucket < network.Network.K, $"node {n.Index}'s bucket {bucket} is full ({inBucket})");
        });
        // The victim's own table holds attackers nearest its ID: its self-lookup starts and ends with them.
        var closestContacts = victim.Table.Contacts.OrderBy(c => network.Nodes[c].Info.Id ^ victim.Info.Id).Take(5);
        Assert.All(closestContacts, c => Assert.True(network.Nodes[c].IsEclipseAttacker, $"contact {c} near the victim's ID is honest"));
    }
}
