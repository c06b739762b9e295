using Kademlia.Simulation.Invariants;

namespace Kademlia.Simulation.Tests;

/// <summary>The message level without oracles: the routing table's eviction policy, observed timeouts, joined tables.</summary>
public class MessageLevelFidelityTests
{
    private static readonly TimeSpan Min = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(2);

    [Fact]
    public void A_contact_is_evicted_at_its_fifth_unanswered_request_in_a_row_not_its_first()
    {
        var table = new SimulatedTable();
        table.Add(7);

        for (var failure = 1; failure < 5; failure++)
        {
            Assert.False(table.RecordFailure(7, threshold: 5));
            Assert.True(table.Contains(7), $"evicted after {failure} failures");
        }

        table.RecordSuccess(7, TimeSpan.FromMilliseconds(40)); // an answer resets the count
        for (var failure = 1; failure < 5; failure++)
        {
            Assert.False(table.RecordFailure(7, threshold: 5));
        }

        Assert.True(table.RecordFailure(7, threshold: 5));
        Assert.False(table.Contains(7));
    }

    [Fact]
    public void A_contacts_timeout_comes_from_the_answers_its_owner_received_as_Contact_computes_it()
    {
        var table = new SimulatedTable();
        table.Add(3);
        Assert.Null(table.Timeout(3, Min, Max)); // never measured: the lookup's own estimate

        table.RecordSuccess(3, TimeSpan.FromMilliseconds(60));
        Assert.Equal(TimeSpan.FromMilliseconds(60 + (4 * 30)), table.Timeout(3, Min, Max)); // SRTT = R, RTTVAR = R/2

        table.RecordSuccess(3, TimeSpan.FromMilliseconds(100));
        // RTTVAR += (|60 − 100| − 30)/4 = 32.5; SRTT += (100 − 60)/8 = 65.
        Assert.Equal(TimeSpan.FromMicroseconds(65_000 + (4 * 32_500)), table.Timeout(3, Min, Max));

        Assert.True(table.Remove(3));
        table.Add(3);
        Assert.Null(table.Timeout(3, Min, Max)); // a contact that left and came back starts unmeasured
    }

    [Fact]
    public void Without_oracles_timeouts_to_dead_contacts_cost_more_than_the_ideal_mode_admits()
    {
        // Silent nodes make every lookup wait for timeouts. The ideal mode times a table contact out after
        // 3 × its true RTT and evicts it at once; without oracles an unmeasured contact waits for the
        // lookup's own estimate and stays in the table for five failures, so lookups take longer.
        var options = new SimulationOptions
        {
            Nodes = 1_000, Seed = 41, Lookups = 200, Gets = 0, Records = 0,
            Adversaries = new AdversaryOptions { Fraction = 0.2, Kind = AdversaryKind.Silent },
        };

        var real = Simulator.Run(options);
        var ideal = Simulator.Run(options.Ideal());

        Assert.True(real.FindNode.LatencyP50Ms > ideal.FindNode.LatencyP50Ms,
            $"FIND_NODE p50 {real.FindNode.LatencyP50Ms} ms without oracles, {ideal.FindNode.LatencyP50Ms} ms ideal (seed 41)");
        Assert.True(real.FindNode.SuccessRate >= 0.99, $"{real.FindNode.SuccessRate:P2} (seed 41)");
    }

    [Fact]
    public void Tables_built_by_joins_find_the_closest_node_and_count_the_joins_messages()
    {
        var network = new MessageLevelNetwork(new SimulationOptions { Nodes = 400, Seed = 42, Lookups = 100, Records = 10, JoinedTables = true });
        var violations = new List<string>();
        new TableBoundsChecker().Check(network, violations);
        Assert.Empty(violations);
        // Each of the 399 joiners pinged node 0 and ran at least its self-lookup.
        Assert.True(network.JoinMessages > 399 * 2, $"{network.JoinMessages} join messages (seed 42)");
        Assert.All(network.Nodes, n => Assert.True(n.Table.Count > 0, $"node {n.Index} has an empty table (seed 42)"));

        var summary = Simulator.Run(network);
        Assert.Equal(network.JoinMessages, summary.JoinMessages);
        Assert.True(summary.FindNode.SuccessRate >= 0.99, $"{summary.FindNode.SuccessRate:P2} of FIND_NODE (seed 42)");
        Assert.True(summary.Get.SuccessRate >= 0.99, $"{summary.Get.SuccessRate:P2} of GET (seed 42)");
    }

    [Fact]
    public void Building_a_network_sorts_its_ids_once_and_finds_the_same_closest_nodes_as_a_scan()
    {
        var network = new MessageLevelNetwork(new SimulationOptions { Nodes = 3_000, Seed = 43, Lookups = 0, Records = 0 });
        var target = network.RandomTarget();
        var outcome = network.RunLookup(17, target, MessageLevelNetwork.Epoch);
        var scanned = network.Nodes.Where(n => n.Index != 17).Select(n => n.Info.Id).OrderBy(id => id, Comparer<Identity.NodeId>.Create(target.CompareDistance)).Take(20).ToList();
        Assert.Equal(scanned, outcome.TrueClosest);
    }
}
