using System.Net;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Routing;

using static Kademlia.Simulation.Tests.Runs;

namespace Kademlia.Simulation.Tests;

/// <summary>
/// Public nodes and nodes behind NATs (the emulator's usual home router: endpoint-independent mapping,
/// address-and-port-dependent filtering, 30 s idle timeout) in one network: issue 14, item 5.
/// </summary>
public sealed class NatClientModeTests
{
    private static (EngineNetwork Network, List<SimulatedEngine> Public, List<SimulatedEngine> Natted) Mixed(int seed, int publicCount, int nattedCount, NatBehavior behavior, EngineOptions? nattedOptions = null)
    {
        var network = new EngineNetwork(seed, NetworkParameters.Test, TimeSpan.FromMilliseconds(30)) { DistinctPublicAddresses = true };
        var first = network.AddNode();
        var servers = new List<SimulatedEngine> { first };
        for (var i = 1; i < publicCount; i++)
        {
            var node = network.AddNode();
            Assert.True(Run<BootstrapResult>(network, node, (e, now) => e.Bootstrap(now, [first.Info])).Succeeded, $"seed {seed}");
            servers.Add(node);
        }

        var natted = new List<SimulatedEngine>();
        for (var i = 0; i < nattedCount; i++)
        {
            var node = network.AddNode(nattedOptions, behavior);
            Assert.True(Run<BootstrapResult>(network, node, (e, now) => e.Bootstrap(now, [servers[i % servers.Count].Info])).Succeeded, $"seed {seed}");
            natted.Add(node);
        }

        return (network, servers, natted);
    }

    [Fact]
    public void Natted_nodes_learn_their_outside_endpoint_find_themselves_private_and_stay_out_of_public_tables()
    {
        var (network, servers, natted) = Mixed(41, 16, 6, NatBehavior.PortRestrictedCone);
        using var dispose = network;
        network.RunFor(TimeSpan.FromMinutes(10));

        foreach (var node in natted)
        {
            var outside = network.ExternalEndPoint(node, servers[0].EndPoint);
            Assert.NotNull(outside);
            Assert.Equal(NodeEndpoint.FromIPEndPoint(outside), node.Engine.ExternalEndpoint);
            Assert.Equal(NodeReachability.Private, node.Engine.Reachability);
            Assert.True(node.Engine.IsClient, $"node {node.Index} is not a client (seed 41)");
            Assert.Contains(node.Events, e => e is ReachabilityChanged { Reachability: NodeReachability.Private, IsClient: true });
        }

        foreach (var server in servers)
        {
            Assert.True(server.Engine.Reachability != NodeReachability.Private, $"server {server.Index} is private: {server.Engine.Statistics.ReachabilityProbes}");
            Assert.False(server.Engine.IsClient);
            Assert.All(natted, n => Assert.Null(server.Engine.Routing.Find(n.Info.Id)));
        }
    }

    [Fact]
    public void Natted_clients_complete_every_operation_through_public_nodes()
    {
        var (network, servers, natted) = Mixed(42, 16, 4, NatBehavior.PortRestrictedCone);
        using var dispose = network;
        network.RunFor(TimeSpan.FromMinutes(10));
        var (writer, reader) = (natted[0], natted[1]);
        Assert.True(writer.Engine.IsClient && reader.Engine.IsClient);

        var value = ImmutableRecord.Create("written behind a NAT"u8);
        Assert.True(Run<StoreResult>(network, writer, (e, now) => e.Put(now, value)).Succeeded);
        var got = Run<GetResult>(network, reader, (e, now) => e.Get(now, value.Key, RecordKind.Immutable));
        Assert.True(got.Succeeded);

        using var publisher = NodeIdentity.Generate(NetworkParameters.Test);
        var mutable = MutableRecord.Create(publisher, "table"u8, 1, "open"u8);
        Assert.True(Run<StoreResult>(network, writer, (e, now) => e.Put(now, mutable)).Succeeded);
        Assert.True(Run<GetResult>(network, reader, (e, now) => e.Get(now, mutable.Key, RecordKind.Mutable)).Succeeded);

        var topic = NodeId.Hash("poker tables"u8);
        Assert.True(Run<StoreResult>(network, writer, (e, now) => e.Announce(now, topic, "table 7"u8)).Succeeded);
        var found = Run<FindProvidersResult>(network, reader, (e, now) => e.FindProviders(now, topic));
        Assert.True(found.Succeeded);
        Assert.Contains(reader.Events, e => e is ProviderFound p && p.Provider.Provider.Id == writer.Info.Id
            && p.Provider.Provider.Endpoint == writer.Engine.ExternalEndpoint);

        Assert.True(Run<FindNodeResult>(network, reader, (e, now) => e.FindNode(now, servers[7].Info.Id)).Succeeded);
        Assert.All(servers, s => Assert.Null(s.Engine.Routing.Find(writer.Info.Id)));
    }

    [Fact]
    public void Behind_a_symmetric_nat_peers_disagree_on_the_port_so_the_node_knows_it_is_private_and_still_puts_and_gets()
    {
        var (network, servers, natted) = Mixed(44, 16, 3, NatBehavior.Symmetric);
        using var dispose = network;
        network.RunFor(TimeSpan.FromMinutes(5));

        foreach (var node in natted)
        {
            Assert.Null(node.Engine.ExternalEndpoint); // no endpoint can be agreed: every peer sees another port
            Assert.Equal(NodeReachability.Private, node.Engine.Reachability);
            Assert.True(node.Engine.IsClient);
            Assert.All(servers, s => Assert.Null(s.Engine.Routing.Find(node.Info.Id)));
        }

        var value = ImmutableRecord.Create("from a symmetric NAT"u8);
        Assert.True(Run<StoreResult>(network, natted[0], (e, now) => e.Put(now, value)).Succeeded);
        Assert.True(Run<GetResult>(network, natted[1], (e, now) => e.Get(now, value.Key, RecordKind.Immutable)).Succeeded);
        Assert.Throws<InvalidOperationException>(() => natted[2].Engine.Announce(network.Now, NodeId.Hash("t"u8))); // no endpoint to advertise, said clearly
    }

    [Theory]
    [InlineData(25, true)]
    [InlineData(3600, false)]
    public void A_clients_mapping_to_the_nodes_it_depends_on_lives_with_keepalives_and_expires_without(int keepaliveSeconds, bool expectAlive)
    {
        var options = new EngineOptions { Mode = NodeMode.Client, KeepaliveInterval = TimeSpan.FromSeconds(keepaliveSeconds) };
        var (network, _, natted) = Mixed(43, 8, 1, NatBehavior.PortRestrictedCone, options);
        using var dispose = network;
        var client = natted[0];
        network.RunFor(TimeSpan.FromMinutes(3));
        var depended = client.Engine.Routing.FindClosest(client.Info.Id, 1).Single();
        var peer = network.Nodes.Single(n => n.Info.Id == depended.Id);

        var lapses = 0;
        for (var sample = 0; sample < 60; sample++)
        {
            network.RunFor(TimeSpan.FromSeconds(10));
            lapses += network.ExternalEndPoint(client, peer.EndPoint) is null ? 1 : 0;
        }

        if (expectAlive)
        {
            Assert.Equal(0, lapses);
        }
        else
        {
            Assert.True(lapses > 0, "without keepalives the mapping never lapsed in 10 minutes (seed 43)");
        }
    }

    [Fact]
    public void A_node_bound_to_a_LAN_address_enters_tables_while_it_looks_reachable_and_leaves_them_once_it_turns_client()
    {
        // As `kad node --bind 192.168.1.2` behind a home router: it advertises its LAN address, so it is a
        // server until the address vote shows peers see it elsewhere (tests/netns/real-nat.sh found this).
        var lan = new EngineOptions { AdvertisedEndpoint = NodeEndpoint.FromIPEndPoint(new IPEndPoint(IPAddress.Parse("192.168.1.2"), 4000)) };
        var (network, servers, natted) = Mixed(45, 8, 2, NatBehavior.PortRestrictedCone, lan);
        using var dispose = network;
        Assert.Contains(servers, s => s.Events.Any(e => e is ContactAdded added && natted.Any(n => n.Info.Id == added.Contact.Id)));

        network.RunFor(TimeSpan.FromMinutes(1));

        foreach (var node in natted)
        {
            Assert.NotNull(node.Engine.ExternalEndpoint);
            Assert.True(node.Engine.IsClient, $"node {node.Index} is not a client (seed 45)");
            Assert.All(servers, s => Assert.Null(s.Engine.Routing.Find(node.Info.Id)));
        }
    }
}
