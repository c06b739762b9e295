using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Routing;

using static Kademlia.Simulation.Tests.Runs;

namespace Kademlia.Simulation.Tests;

/// <summary>External address, reachability and client mode among engines on loopback (all reachable).</summary>
public sealed class ReachabilityTests
{
    private static List<SimulatedEngine> Network(EngineNetwork network, int count, EngineOptions? options = null)
    {
        var seed = network.AddNode(options);
        var nodes = new List<SimulatedEngine> { seed };
        for (var i = 1; i < count; i++)
        {
            var node = network.AddNode(options);
            Assert.True(Run<BootstrapResult>(network, node, (e, now) => e.Bootstrap(now, [seed.Info])).Succeeded, $"seed {network.Seed}");
            nodes.Add(node);
        }

        return nodes;
    }

    [Fact]
    public void Nodes_learn_the_endpoint_peers_see_and_find_themselves_reachable()
    {
        // k = 4 among 40: each node has talked to a few others only, so strangers exist to dial it.
        using var network = new EngineNetwork(31, NetworkParameters.Test with { K = 4 }, TimeSpan.FromMilliseconds(20));
        var nodes = Network(network, 40);
        network.RunFor(TimeSpan.FromMinutes(10));

        foreach (var node in nodes)
        {
            Assert.Equal(NodeEndpoint.FromIPEndPoint(node.EndPoint), node.Engine.ExternalEndpoint);
            Assert.NotEqual(NodeReachability.Private, node.Engine.Reachability);
            Assert.False(node.Engine.IsClient);
            Assert.Contains(node.Events, e => e is ExternalAddressChanged);
        }

        // Nodes that talked to nearly everyone find no stranger to dial them and stay Unknown, honestly.
        var reachable = nodes.Count(n => n.Engine.Reachability == NodeReachability.Public);
        Assert.True(reachable >= 15, $"{reachable} of 40 proved reachable (seed 31)");
    }

    [Fact]
    public void A_client_stays_out_of_every_routing_table_and_still_puts_gets_and_announces()
    {
        using var network = new EngineNetwork(32, NetworkParameters.Test, TimeSpan.FromMilliseconds(20));
        var servers = Network(network, 10);
        var client = network.AddNode(new EngineOptions { Mode = NodeMode.Client });
        Assert.True(Run<BootstrapResult>(network, client, (e, now) => e.Bootstrap(now, [servers[0].Info])).Succeeded);
        network.RunFor(TimeSpan.FromMinutes(1));

        var record = ImmutableRecord.Create("stored by a client"u8);
        Assert.True(Run<StoreResult>(network, client, (e, now) => e.Put(now, record)).Succeeded);
        Assert.True(Run<GetResult>(network, servers[5], (e, now) => e.Get(now, record.Key, RecordKind.Immutable)).Succeeded);
        Assert.True(Run<GetResult>(network, client, (e, now) => e.Get(now, ImmutableRecord.KeyOf("stored by a client"u8), RecordKind.Immutable)).Succeeded);
        var topic = NodeId.Hash("client lobby"u8);
        Assert.True(Run<StoreResult>(network, client, (e, now) => e.Announce(now, topic, "table"u8)).Succeeded);
        Assert.True(Run<FindProvidersResult>(network, servers[3], (e, now) => e.FindProviders(now, topic)).Succeeded);
        network.RunFor(TimeSpan.FromMinutes(2));

        Assert.True(client.Engine.IsClient);
        Assert.True(client.Engine.Routing.Count > 0);
        Assert.All(servers, s => Assert.Null(s.Engine.Routing.Find(client.Info.Id)));
    }

    [Fact]
    public void A_client_sends_keepalives_to_the_nodes_it_depends_on()
    {
        using var network = new EngineNetwork(33, NetworkParameters.Test, TimeSpan.FromMilliseconds(20));
        var servers = Network(network, 6);
        var keeping = network.AddNode(new EngineOptions { Mode = NodeMode.Client, KeepaliveInterval = TimeSpan.FromSeconds(25) });
        var idle = network.AddNode(new EngineOptions { Mode = NodeMode.Client, KeepaliveInterval = TimeSpan.FromHours(1) });
        Run<BootstrapResult>(network, keeping, (e, now) => e.Bootstrap(now, [servers[0].Info]));
        Run<BootstrapResult>(network, idle, (e, now) => e.Bootstrap(now, [servers[0].Info]));
        network.RunFor(TimeSpan.FromMinutes(2));

        var keepingBefore = keeping.Engine.Statistics.PacketsOut;
        var idleBefore = idle.Engine.Statistics.PacketsOut;
        network.RunFor(TimeSpan.FromMinutes(4));
        var extra = (keeping.Engine.Statistics.PacketsOut - keepingBefore) - (idle.Engine.Statistics.PacketsOut - idleBefore);

        // 4 minutes at one round every 25 s (9 or 10 rounds) to each of its closest contacts (up to 8);
        // sessions that expire meanwhile are reopened by a PING, a few packets more.
        var contacts = Math.Min(8, keeping.Engine.Routing.Count);
        Assert.InRange(extra, 8 * contacts, 20 * contacts);
    }
}
