using System.Net;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Routing;

namespace Kademlia.Simulation.Tests;

/// <summary>Public and NATed engines in one <see cref="EngineNetwork"/>, using only what the engine does today.</summary>
public sealed class NatEmulatorTests
{
    private const int Seed = 14;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The emulator is the subject here: engines that only do what a test asks (servers, no address
    /// discovery, probes or keepalives), so that their own periodic traffic keeps no mapping alive.
    /// </summary>
    private static readonly EngineOptions Quiet = new() { Mode = NodeMode.Server, DiscoverReachability = false };

    private static EngineNetwork Network(bool distinctPublicAddresses = false, int seed = Seed) =>
        new(seed, NetworkParameters.Test, TimeSpan.FromMilliseconds(40)) { DistinctPublicAddresses = distinctPublicAddresses };

    private static PingResult Ping(EngineNetwork network, SimulatedEngine from, IPEndPoint to)
    {
        var query = network.Start(from, (engine, now) => engine.Ping(now, to));
        return Assert.IsType<PingResult>(network.RunUntilFinished(from, query, Limit));
    }

    /// <summary>Where the NATed <paramref name="node"/> is seen by <paramref name="peer"/> right now (its live mapping).</summary>
    private static IPEndPoint Outside(EngineNetwork network, SimulatedEngine node, SimulatedEngine peer) =>
        network.ExternalEndPoint(node, peer.EndPoint) ?? throw new InvalidOperationException($"no live mapping (seed {network.Seed})");

    [Fact]
    public void A_NATed_node_pinging_a_public_node_is_observed_at_its_NATs_outside_endpoint()
    {
        using var network = Network();
        var server = network.AddNode(Quiet);
        var client = network.AddNode(Quiet, new NatBehavior());

        var pong = Ping(network, client, server.EndPoint);

        Assert.True(pong.Succeeded, $"seed {Seed}");
        var outside = Outside(network, client, server);
        Assert.Equal(NodeEndpoint.FromIPEndPoint(outside), pong.ObservedEndpoint);
        Assert.Equal(client.Nat!.OutsideAddress, outside.Address);
        Assert.NotEqual(client.Info.Endpoint, pong.ObservedEndpoint); // the engine only knows its inside endpoint
        Assert.Contains(client.Events, e => e is QueryFinished { Result: PingResult { Succeeded: true } r } && r.ObservedEndpoint == pong.ObservedEndpoint);
        Assert.True(client.Nat.OutboundTranslated > 0 && client.Nat.InboundTranslated > 0);
    }

    [Fact]
    public void The_public_node_records_the_NATed_node_at_its_outside_endpoint()
    {
        using var network = Network();
        var server = network.AddNode(Quiet);
        var client = network.AddNode(Quiet, new NatBehavior());

        Assert.True(Ping(network, client, server.EndPoint).Succeeded, $"seed {Seed}");

        var contact = server.Engine.Routing.Find(client.Info.Id);
        Assert.NotNull(contact);
        Assert.Equal(NodeEndpoint.FromIPEndPoint(Outside(network, client, server)), contact.Endpoint);
        Assert.Contains(server.Events, e => e is ContactAdded added && added.Contact.Id == client.Info.Id);
    }

    [Fact]
    public void An_unsolicited_datagram_to_the_NAT_is_dropped_before_any_mapping_exists()
    {
        using var network = Network();
        var server = network.AddNode(Quiet);
        var client = network.AddNode(Quiet, NatBehavior.FullCone);
        var nat = client.Nat!;

        var pong = Ping(network, server, new IPEndPoint(nat.OutsideAddress, 40_000));

        Assert.False(pong.Succeeded);
        Assert.True(nat.InboundUnmapped > 0, $"seed {Seed}");
        Assert.Equal(0, nat.InboundTranslated);
        Assert.Equal(0, client.Engine.Statistics.PacketsIn);
    }

    [Fact]
    public void The_inside_endpoint_of_a_NATed_node_cannot_be_reached_from_outside()
    {
        using var network = Network();
        var server = network.AddNode(Quiet);
        var client = network.AddNode(Quiet, NatBehavior.FullCone);
        Assert.True(Ping(network, client, server.EndPoint).Succeeded); // a live mapping exists, and still

        var lostBefore = network.Lost;
        Assert.False(Ping(network, server, client.EndPoint).Succeeded);
        Assert.True(network.Lost > lostBefore);
        Assert.Equal(0, client.Nat!.InboundDropped);
    }

    [Fact]
    public void Address_dependent_filtering_admits_the_contacted_node_and_drops_one_never_contacted()
    {
        // Distinct public addresses: on loopback every public node would share the contacted address.
        using var network = Network(distinctPublicAddresses: true);
        var contacted = network.AddNode(Quiet);
        var stranger = network.AddNode(Quiet);
        var client = network.AddNode(Quiet, NatBehavior.RestrictedCone);
        Assert.True(Ping(network, client, contacted.EndPoint).Succeeded, $"seed {Seed}");
        var outside = Outside(network, client, contacted);

        Assert.False(Ping(network, stranger, outside).Succeeded, $"seed {Seed}");
        Assert.True(client.Nat!.InboundFiltered > 0);
        var filtered = client.Nat.InboundFiltered;

        Assert.True(Ping(network, contacted, outside).Succeeded, $"seed {Seed}");
        Assert.Equal(filtered, client.Nat.InboundFiltered);
    }

    [Fact]
    public void Address_dependent_filtering_admits_another_port_of_the_contacted_address_where_port_dependent_filtering_does_not()
    {
        // All public nodes share 127.0.0.1 here: the contacted node and a stranger differ only in port.
        foreach (var filtering in new[] { FilteringBehavior.AddressDependent, FilteringBehavior.AddressAndPortDependent })
        {
            using var network = Network();
            var contacted = network.AddNode(Quiet);
            var sameAddress = network.AddNode(Quiet);
            var client = network.AddNode(Quiet, new NatBehavior { Filtering = filtering });
            Assert.True(Ping(network, client, contacted.EndPoint).Succeeded, $"seed {Seed}");

            var pong = Ping(network, sameAddress, Outside(network, client, contacted));

            Assert.Equal(filtering == FilteringBehavior.AddressDependent, pong.Succeeded);
            Assert.Equal(filtering == FilteringBehavior.AddressAndPortDependent, client.Nat!.InboundFiltered > 0);
        }
    }

    [Fact]
    public void Endpoint_independent_filtering_admits_a_stranger_while_the_mapping_lives_and_not_after()
    {
        using var network = Network(distinctPublicAddresses: true);
        var contacted = network.AddNode(Quiet);
        var stranger = network.AddNode(Quiet);
        var client = network.AddNode(Quiet, NatBehavior.FullCone);
        Assert.True(Ping(network, client, contacted.EndPoint).Succeeded, $"seed {Seed}");
        var outside = Outside(network, client, contacted);

        var pong = Ping(network, stranger, outside);
        Assert.True(pong.Succeeded, $"seed {Seed}");
        Assert.Equal(client.Info.Id, pong.Peer!.Value.Id);
        Assert.Equal(0, client.Nat!.InboundDropped);

        network.RunFor(TimeSpan.FromSeconds(31));
        Assert.False(Ping(network, stranger, outside).Succeeded, $"seed {Seed}");
        Assert.True(client.Nat.InboundUnmapped > 0);
        Assert.Equal(1, client.Nat.MappingsExpired);
    }

    [Fact]
    public void A_mapping_expires_after_the_idle_timeout_and_the_next_inbound_datagram_is_dropped()
    {
        using var network = Network();
        var server = network.AddNode(Quiet);
        var client = network.AddNode(Quiet, new NatBehavior());
        Assert.True(Ping(network, client, server.EndPoint).Succeeded, $"seed {Seed}");
        var outside = Outside(network, client, server);

        network.RunFor(TimeSpan.FromSeconds(25));
        Assert.NotNull(network.ExternalEndPoint(client, server.EndPoint)); // still live before the timeout
        network.RunFor(TimeSpan.FromSeconds(6));
        Assert.Null(network.ExternalEndPoint(client, server.EndPoint));
        Assert.Equal(1, client.Nat!.MappingsExpired);

        var packetsIn = client.Engine.Statistics.PacketsIn;
        Assert.False(Ping(network, server, outside).Succeeded, $"seed {Seed}");
        Assert.True(client.Nat.InboundUnmapped > 0);
        Assert.Equal(packetsIn, client.Engine.Statistics.PacketsIn);
    }

    [Fact]
    public void Pings_every_20_seconds_keep_a_30_second_mapping_alive_and_it_expires_once_they_stop()
    {
        using var network = Network();
        var server = network.AddNode(Quiet);
        var client = network.AddNode(Quiet, new NatBehavior { MappingTimeout = TimeSpan.FromSeconds(30) });
        var nat = client.Nat!;
        Assert.True(Ping(network, client, server.EndPoint).Succeeded, $"seed {Seed}");
        var outside = Outside(network, client, server);
        var created = network.Now;

        while (network.Now - created < TimeSpan.FromMinutes(2))
        {
            network.RunFor(TimeSpan.FromSeconds(20));
            var pong = Ping(network, client, server.EndPoint);
            Assert.True(pong.Succeeded, $"seed {Seed}");
            Assert.Equal(NodeEndpoint.FromIPEndPoint(outside), pong.ObservedEndpoint);
        }

        Assert.Equal(1, nat.MappingsCreated);
        Assert.Equal(0, nat.MappingsExpired);
        Assert.True(Ping(network, server, outside).Succeeded, $"seed {Seed}"); // the server can still reach it, minutes later
        Assert.Equal(0, nat.InboundDropped);

        network.RunFor(TimeSpan.FromSeconds(31));
        Assert.False(Ping(network, server, outside).Succeeded, $"seed {Seed}");
        Assert.Equal(1, nat.MappingsExpired);
    }

    [Fact]
    public void Behind_a_symmetric_NAT_each_peer_observes_a_different_outside_port()
    {
        foreach (var (behavior, distinct) in new[] { (NatBehavior.Symmetric, true), (NatBehavior.PortRestrictedCone, false) })
        {
            using var network = Network();
            var first = network.AddNode(Quiet);
            var second = network.AddNode(Quiet);
            var client = network.AddNode(Quiet, behavior);

            var a = Ping(network, client, first.EndPoint);
            var b = Ping(network, client, second.EndPoint);

            Assert.True(a.Succeeded && b.Succeeded, $"seed {Seed}");
            Assert.Equal(client.Nat!.OutsideAddress, a.ObservedEndpoint.ToIPAddress());
            Assert.Equal(client.Nat.OutsideAddress, b.ObservedEndpoint.ToIPAddress());
            Assert.Equal(distinct, a.ObservedEndpoint != b.ObservedEndpoint);
            Assert.Equal(distinct ? 2 : 1, client.Nat.MappingsCreated);
        }
    }

    [Fact]
    public void Nodes_behind_one_NAT_share_its_outside_address_and_reach_each_other_inside()
    {
        using var network = Network();
        var server = network.AddNode(Quiet);
        var home = network.AddNat(NatBehavior.FullCone);
        var alice = network.AddNodeBehind(home, Quiet);
        var bob = network.AddNodeBehind(home, Quiet);

        var aliceOut = Ping(network, alice, server.EndPoint);
        var bobOut = Ping(network, bob, server.EndPoint);
        Assert.Equal(home.OutsideAddress, aliceOut.ObservedEndpoint.ToIPAddress());
        Assert.Equal(home.OutsideAddress, bobOut.ObservedEndpoint.ToIPAddress());
        Assert.NotEqual(aliceOut.ObservedEndpoint.Port, bobOut.ObservedEndpoint.Port);

        var translated = home.OutboundTranslated;
        var lan = Ping(network, alice, bob.EndPoint);
        Assert.True(lan.Succeeded, $"seed {Seed}");
        Assert.Equal(NodeEndpoint.FromIPEndPoint(alice.EndPoint), lan.ObservedEndpoint); // on the LAN nothing is translated
        Assert.Equal(translated, home.OutboundTranslated);
    }

    [Fact]
    public void A_hairpinning_NAT_turns_a_datagram_to_its_own_outside_endpoint_back_inside_and_another_drops_it()
    {
        foreach (var hairpinning in new[] { true, false })
        {
            using var network = Network();
            var server = network.AddNode(Quiet);
            var home = network.AddNat(NatBehavior.FullCone with { Hairpinning = hairpinning });
            var alice = network.AddNodeBehind(home, Quiet);
            var bob = network.AddNodeBehind(home, Quiet);
            Assert.True(Ping(network, bob, server.EndPoint).Succeeded, $"seed {Seed}");

            var pong = Ping(network, alice, Outside(network, bob, server));

            Assert.Equal(hairpinning, pong.Succeeded);
            if (hairpinning)
            {
                Assert.Equal(NodeEndpoint.FromIPEndPoint(Outside(network, alice, bob)), pong.ObservedEndpoint);
            }
            else
            {
                Assert.True(home.HairpinDropped > 0);
            }
        }
    }

    [Fact]
    public void A_stopped_NATed_node_keeps_its_mapping_until_the_timeout_and_gets_a_new_one_after_resuming()
    {
        using var network = Network();
        var server = network.AddNode(Quiet);
        var client = network.AddNode(Quiet, NatBehavior.FullCone);
        var nat = client.Nat!;
        Assert.True(Ping(network, client, server.EndPoint).Succeeded, $"seed {Seed}");
        var before = Outside(network, client, server);

        network.Stop(client);
        var lost = network.Lost;
        Assert.False(Ping(network, server, before).Succeeded);
        Assert.True(nat.InboundTranslated > 0 && network.Lost > lost); // admitted by the NAT, lost at the stopped host
        network.RunFor(TimeSpan.FromMinutes(1));
        Assert.Equal(1, nat.MappingsExpired);

        network.Resume(client);
        var pong = Ping(network, client, server.EndPoint);
        Assert.True(pong.Succeeded, $"seed {Seed}");
        Assert.Equal(2, nat.MappingsCreated);
        Assert.NotEqual(NodeEndpoint.FromIPEndPoint(before), pong.ObservedEndpoint);
    }

    [Fact]
    public void Outside_ports_replay_from_the_networks_seed()
    {
        static NodeEndpoint Observed(int seed)
        {
            using var network = Network(seed: seed);
            var server = network.AddNode(Quiet);
            var client = network.AddNode(Quiet, new NatBehavior());
            return Ping(network, client, server.EndPoint).ObservedEndpoint;
        }

        Assert.Equal(Observed(1), Observed(1));
        Assert.NotEqual(Observed(1).Port, Observed(2).Port);
    }

    [Fact]
    public void Every_public_host_and_NAT_gets_a_slash_24_of_its_own_when_asked()
    {
        using var network = Network(distinctPublicAddresses: true);
        var nodes = Enumerable.Range(0, 6).Select(i => i % 2 == 0 ? network.AddNode(Quiet) : network.AddNode(Quiet, new NatBehavior())).ToList();
        var seed = nodes[0];
        foreach (var node in nodes.Skip(1))
        {
            Assert.True(Ping(network, node, seed.EndPoint).Succeeded, $"seed {Seed}");
        }

        var seen = nodes.Where(n => n.Nat is null).Select(n => n.Info.Endpoint)
            .Concat(network.Nats.Select(n => new NodeEndpoint(n.OutsideAddress, 1)))
            .ToList();
        Assert.All(seen, e => Assert.False(e.IsLoopback));
        Assert.Equal(seen.Count, seen.Select(e => e.SubnetKey).Distinct().Count());
        Assert.Equal(5, seed.Engine.Routing.Count); // each /24 well within the diversity limits
        Assert.All(nodes.Where(n => n.Nat is not null), n => Assert.Equal(n.Nat!.OutsideAddress, seed.Engine.Routing.Find(n.Info.Id)!.Endpoint.ToIPAddress()));
    }

    [Fact]
    public void Public_nodes_stay_on_loopback_by_default()
    {
        using var network = Network();
        var a = network.AddNode(Quiet);
        var b = network.AddNode(Quiet);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:10000"), a.EndPoint);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:10001"), b.EndPoint);
        Assert.Null(a.Nat);
    }
}
