using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Routing;
using Kademlia.Wire;

using static Kademlia.Simulation.Tests.Runs;

namespace Kademlia.Simulation.Tests;

/// <summary>
/// Two players behind NATs reach each other through the rendezvous points of one of them: punched where the
/// NATs allow it, relayed where they do not (issue 15, items 2, 3 and 6).
/// </summary>
public sealed class HolePunchTests
{
    private const string Channel = "game/1";

    /// <summary>
    /// Public nodes, and two players behind NATs of the given kinds that have run long enough to find
    /// themselves private, turn client and keep sessions with their closest contacts.
    /// </summary>
    internal static (EngineNetwork Network, SimulatedEngine Joiner, SimulatedEngine Host) Players(int seed, NatBehavior joinerNat, NatBehavior hostNat, int servers = 12)
    {
        var network = new EngineNetwork(seed, NetworkParameters.Test, TimeSpan.FromMilliseconds(40)) { DistinctPublicAddresses = true };
        var first = network.AddNode();
        for (var i = 1; i < servers; i++)
        {
            var node = network.AddNode();
            Assert.True(Run<BootstrapResult>(network, node, (e, now) => e.Bootstrap(now, [first.Info])).Succeeded, $"seed {seed}");
        }

        var joiner = network.AddNode(nat: joinerNat);
        var host = network.AddNode(nat: hostNat);
        foreach (var player in new[] { joiner, host })
        {
            Assert.True(Run<BootstrapResult>(network, player, (e, now) => e.Bootstrap(now, [first.Info])).Succeeded, $"seed {seed}");
        }

        network.RunFor(TimeSpan.FromMinutes(6));
        Assert.True(joiner.Engine.IsClient && host.Engine.IsClient, $"the players did not turn client (seed {seed})");
        return (network, joiner, host);
    }

    private static ConnectResult Connect(EngineNetwork network, SimulatedEngine joiner, SimulatedEngine host) =>
        Run<ConnectResult>(network, joiner, (e, now) => e.Connect(now, host.Info, host.Engine.RendezvousPoints(now)));

    /// <summary>
    /// Sends <paramref name="count"/> app datagrams each way, 50 ms apart, and returns how many of them the
    /// other side delivered (the network loses nothing, so every one must arrive).
    /// </summary>
    internal static int Exchange(EngineNetwork network, SimulatedEngine a, SimulatedEngine b, int count)
    {
        a.Engine.OpenAppChannel(Channel);
        b.Engine.OpenAppChannel(Channel);
        var before = Delivered(a) + Delivered(b);
        for (var i = 0; i < count; i++)
        {
            network.Start(a, (e, now) => { e.SendAppDatagram(now, b.Info, Channel, [(byte)i, 1]); return default; });
            network.Start(b, (e, now) => { e.SendAppDatagram(now, a.Info, Channel, [(byte)i, 2]); return default; });
            network.RunFor(TimeSpan.FromMilliseconds(50));
        }

        network.RunFor(TimeSpan.FromSeconds(2));
        return Delivered(a) + Delivered(b) - before;
    }

    private static int Delivered(SimulatedEngine node) => node.Events.OfType<AppMessageReceived>().Count(m => m.Channel == Channel);

    [Fact]
    public void Two_port_restricted_cones_punch_through_to_a_direct_session()
    {
        var (network, joiner, host) = Players(150, NatBehavior.PortRestrictedCone, NatBehavior.PortRestrictedCone);
        using var dispose = network;
        var rendezvous = host.Engine.RendezvousPoints(network.Now);
        Assert.NotEmpty(rendezvous);

        var result = Connect(network, joiner, host);

        Assert.True(result.Succeeded, $"seed {network.Seed}");
        Assert.Equal(PeerPath.Direct, result.Via);
        Assert.True(result.PunchAttempted);
        Assert.Equal(20, Exchange(network, joiner, host, 10));
        Assert.Equal(PeerPath.Direct, host.Engine.PathTo(joiner.Info, network.Now));
        Assert.Equal(PeerPath.Direct, joiner.Engine.PathTo(host.Info, network.Now));
    }

    public static TheoryData<string, string> NatPairs()
    {
        var data = new TheoryData<string, string>();
        foreach (var joiner in Kinds.Keys)
        {
            foreach (var host in Kinds.Keys)
            {
                data.Add(joiner, host);
            }
        }

        return data;
    }

    /// <summary>The classic NAT kinds (RFC 3489 names) as the emulator's mapping and filtering pairs.</summary>
    internal static readonly Dictionary<string, NatBehavior> Kinds = new()
    {
        ["full-cone"] = NatBehavior.FullCone,
        ["restricted-cone"] = NatBehavior.RestrictedCone,
        ["port-restricted-cone"] = NatBehavior.PortRestrictedCone,
        ["symmetric"] = NatBehavior.Symmetric,
    };

    /// <summary>
    /// Whether theory lets a punch through (RFC 5128 §3.3 and §4): both NATs map independently of the
    /// destination, or one maps per destination and the other filters only by address (or not at all), so
    /// that the packets from the new port it maps are let in.
    /// </summary>
    internal static bool PunchableInTheory(NatBehavior a, NatBehavior b) =>
        (a.Mapping == MappingBehavior.EndpointIndependent && b.Mapping == MappingBehavior.EndpointIndependent)
        || (a.Mapping == MappingBehavior.EndpointIndependent && a.Filtering != FilteringBehavior.AddressAndPortDependent)
        || (b.Mapping == MappingBehavior.EndpointIndependent && b.Filtering != FilteringBehavior.AddressAndPortDependent);

    [Theory]
    [MemberData(nameof(NatPairs))]
    public void Players_behind_any_pair_of_NATs_connect_directly_where_theory_allows_and_relayed_otherwise(string joinerKind, string hostKind)
    {
        var (joinerNat, hostNat) = (Kinds[joinerKind], Kinds[hostKind]);
        var seed = 151 + (Kinds.Keys.ToList().IndexOf(joinerKind) * 4) + Kinds.Keys.ToList().IndexOf(hostKind);
        var (network, joiner, host) = Players(seed, joinerNat, hostNat);
        using var dispose = network;

        var result = Connect(network, joiner, host);

        var expected = PunchableInTheory(joinerNat, hostNat) ? PeerPath.Direct : PeerPath.Relayed;
        Assert.True(result.Succeeded, $"{joinerKind} to {hostKind} did not connect (seed {seed})");
        Assert.True(expected == result.Via, $"{joinerKind} to {hostKind}: {result.Via}, theory says {expected} (seed {seed})");
        Assert.True(20 == Exchange(network, joiner, host, 10), $"{joinerKind} to {hostKind}: messages lost (seed {seed})");
        Assert.Equal(expected, joiner.Engine.PathTo(host.Info, network.Now));
        Assert.Equal(expected, host.Engine.PathTo(joiner.Info, network.Now));
    }
}
