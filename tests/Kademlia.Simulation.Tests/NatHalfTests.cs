using Kademlia.Simulation.Invariants;
using Xunit.Abstractions;

namespace Kademlia.Simulation.Tests;

/// <summary>Half the nodes behind NATs at message level, with and without client mode (issue 14, item 7; docs/EVALUATION.md's nat-half rows at small scale).</summary>
public sealed class NatHalfTests(ITestOutputHelper output)
{
    private const int Seed = 31;

    private static SimulationOptions Options(bool clientMode) => new()
    {
        Nodes = 500,
        Seed = Seed,
        UnreachableFraction = 0.5,
        ClientMode = clientMode,
        Duration = TimeSpan.FromMinutes(30),
        Lookups = 300,
        Records = 30,
    };

    private static string Describe(SimulationSummary s) =>
        $"FIND_NODE {s.FindNode.SuccessRate:P2} p50 {s.FindNode.LatencyP50Ms} ms {s.FindNode.MessagesMean} msgs, GET {s.Get.SuccessRate:P2} p50 {s.Get.LatencyP50Ms} ms, " +
        $"{s.Nat!.NattedContactsInPublicTables} NATed contacts in public tables ({s.Nat.NattedShareOfPublicContacts:P1}), {s.Nat.RequestsDroppedAtNats} dropped at NATs, {s.Nat.Keepalives} keepalives (seed {s.Seed})";

    [Fact]
    public void With_client_mode_public_tables_hold_no_natted_node_and_lookups_pay_no_timeout_on_one()
    {
        var with = Simulator.Run(Options(clientMode: true));
        var without = Simulator.Run(Options(clientMode: false));
        output.WriteLine($"client mode:    {Describe(with)}");
        output.WriteLine($"no client mode: {Describe(without)}");

        Assert.True(with.Nat!.NattedNodes > 200, $"{with.Nat.NattedNodes} NATed nodes (seed {Seed})");
        Assert.True(with.Nat.NattedContactsInPublicTables == 0, $"client mode: {Describe(with)}");
        Assert.True(with.Nat.RequestsDroppedAtNats == 0, $"client mode: {Describe(with)}");
        Assert.True(with.Nat.Keepalives > 0, $"client mode: {Describe(with)}");
        Assert.True(with.FindNode.SuccessRate >= 0.99 && with.Get.SuccessRate >= 0.99, $"client mode: {Describe(with)}");

        // Without client mode NATed nodes sit in public tables and every lookup that meets one waits out
        // a timeout: success holds (the lookup goes around them) but latency and messages grow.
        Assert.True(without.Nat!.NattedContactsInPublicTables > 1_000, $"no client mode: {Describe(without)}");
        Assert.True(without.Nat.RequestsDroppedAtNats > without.FindNode.Count, $"no client mode: {Describe(without)}");
        Assert.Equal(0, without.Nat.Keepalives);
        Assert.True(without.FindNode.SuccessRate <= with.FindNode.SuccessRate, $"no client mode: {Describe(without)}; client mode: {Describe(with)}");
        Assert.True(without.FindNode.LatencyP50Ms > 2 * with.FindNode.LatencyP50Ms, $"no client mode: {Describe(without)}; client mode: {Describe(with)}");
        Assert.True(without.FindNode.MessagesMean > 1.3 * with.FindNode.MessagesMean, $"no client mode: {Describe(without)}; client mode: {Describe(with)}");
    }

    [Fact]
    public void The_client_mode_checker_reports_a_natted_node_in_a_table()
    {
        var network = new MessageLevelNetwork(Options(clientMode: true));
        var violations = new List<string>();
        new ClientModeChecker().Check(network, violations);
        Assert.Empty(violations);

        var natted = network.Nodes.First(n => !n.IsReachable);
        network.Nodes[0].Table.Add(natted.Index);
        new ClientModeChecker().Check(network, violations);
        Assert.Contains(violations, v => v.Contains($"holds node {natted.Index}", StringComparison.Ordinal));
    }

    [Fact]
    public void A_natted_node_answers_a_peer_only_within_the_mapping_timeout_after_sending_to_it()
    {
        var permissions = new NatPermissions(TimeSpan.FromSeconds(30));
        var start = MessageLevelNetwork.Epoch;
        Assert.False(permissions.Admits(7, start));

        permissions.Sent(7, start);
        Assert.True(permissions.Admits(7, start.AddSeconds(29)));
        Assert.False(permissions.Admits(8, start.AddSeconds(1)));
        Assert.False(permissions.Admits(7, start.AddSeconds(30)));

        permissions.Sent(7, start.AddSeconds(40));
        Assert.True(permissions.Admits(7, start.AddSeconds(69)));
    }
}
