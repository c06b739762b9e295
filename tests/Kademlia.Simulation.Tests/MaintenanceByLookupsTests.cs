namespace Kademlia.Simulation.Tests;

/// <summary>
/// Issue 13, item 1: during a run the tables are kept by the engine's own messages (refresh lookups,
/// rejoins through the kept table or a seed), counted, never by reading the network's ground truth.
/// </summary>
public class MaintenanceByLookupsTests
{
    private static readonly DateTimeOffset Start = MessageLevelNetwork.Epoch;

    [Fact]
    public void A_new_node_joins_through_a_seed_by_messages_and_those_it_queried_learn_it()
    {
        var network = new MessageLevelNetwork(new SimulationOptions { Nodes = 500, Seed = 41 });
        var before = network.MessagesSimulated;

        var fresh = network.AddFreshNode(Start);

        Assert.True(fresh.Table.Count >= 20, $"the new node's table holds {fresh.Table.Count} contacts after its join (seed 41)");
        Assert.True(network.MaintenanceMessages > 0);
        Assert.Equal(network.MessagesSimulated - before, network.MaintenanceMessages);
        Assert.Contains(network.Nodes, n => n.Index != fresh.Index && n.Table.Contains(fresh.Index));
    }

    [Fact]
    public void A_refresh_by_messages_learns_of_dead_contacts_only_by_asking_them_where_the_oracle_drops_them_at_once()
    {
        foreach (var byLookups in new[] { true, false })
        {
            // A failure threshold no refresh reaches, and every contact dead (so no answer brings a newcomer
            // that would make a full bucket ping its oldest): only an oracle can tell the owner who is gone.
            var network = new MessageLevelNetwork(new SimulationOptions { Nodes = 400, Seed = 42, MaintenanceByLookups = byLookups, FailuresBeforeEviction = 100 });
            var owner = network.Nodes[7];
            var dead = owner.Table.Contacts.ToList();
            foreach (var contact in dead)
            {
                network.Leave(network.Nodes[contact]);
            }

            network.Refresh(owner, Start);

            var kept = dead.Count(owner.Table.Contains);
            if (byLookups)
            {
                Assert.Equal(dead.Count, kept);
                Assert.True(network.MaintenanceMessages >= dead.Count / 2, $"{network.MaintenanceMessages} requests for {dead.Count} dead contacts (seed 42)");
            }
            else
            {
                Assert.True(kept == 0, $"the oracle's refresh kept {kept} of {dead.Count} dead contacts (seed 42)");
                Assert.Equal(0, network.MaintenanceMessages);
            }
        }
    }

    [Fact]
    public void A_refresh_skips_the_buckets_a_lookup_covered_within_the_interval()
    {
        var network = new MessageLevelNetwork(new SimulationOptions { Nodes = 400, Seed = 43 });
        var owner = network.Nodes[9];

        network.Refresh(owner, Start);
        var first = network.MaintenanceMessages;
        network.Refresh(owner, Start + TimeSpan.FromMinutes(30));
        var second = network.MaintenanceMessages - first;
        network.Refresh(owner, Start + TimeSpan.FromMinutes(61));
        var third = network.MaintenanceMessages - first - second;

        Assert.True(first > 0);
        Assert.Equal(0, second);
        Assert.True(third > 0, "an hour later every bucket is due again");
    }

    [Fact]
    public void The_ideal_comparison_keeps_the_oracle_and_sends_no_maintenance()
    {
        var options = new SimulationOptions
        {
            Nodes = 300, Seed = 44, Duration = TimeSpan.FromHours(3), Churn = new ChurnOptions(), Lookups = 50, Records = 10,
        };

        var honest = Simulator.Run(options);
        var ideal = Simulator.Run(options.Ideal());

        Assert.True(honest.MaintenanceMessages > 0, "churn with refreshes and rejoins must cost messages");
        Assert.Equal(0, ideal.MaintenanceMessages);
        Assert.True(honest.Messages > ideal.Messages + honest.MaintenanceMessages / 2);
    }
}
