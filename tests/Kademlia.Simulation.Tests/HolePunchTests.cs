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
    /// themselves private, turn client and keep sessions with their closest contacts (<see cref="PlayerPair"/>).
    /// </summary>
    internal static PlayerPair Players(int seed, NatBehavior joinerNat, NatBehavior hostNat, int servers = PlayerPair.DefaultServers, EngineOptions? serverOptions = null) =>
        PlayerPair.Create(seed, joinerNat, hostNat, servers, serverOptions);

    private static ConnectResult Connect(EngineNetwork network, SimulatedEngine joiner, SimulatedEngine host) =>
        Run<ConnectResult>(network, joiner, (e, now) => e.Connect(now, host.Info, host.Engine.RendezvousPoints(now)));

    /// <summary>
    /// Sends <paramref name="count"/> app datagrams each way, 50 ms apart, and returns how many of them the
    /// other side delivered (the network loses nothing, so every one must arrive).
    /// </summary>
    private static int Exchange(EngineNetwork network, SimulatedEngine a, SimulatedEngine b, int count)
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

    private static int Delivered(SimulatedEngine node) => PlayerPair.Delivered(node, Channel);

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
        foreach (var joiner in NatKinds.Names)
        {
            foreach (var host in NatKinds.Names)
            {
                data.Add(joiner, host);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NatPairs))]
    public void Players_behind_any_pair_of_NATs_connect_directly_where_theory_allows_and_relayed_otherwise(string joinerKind, string hostKind)
    {
        var seed = HolePunchExperiment.MatrixSeed + (NatKinds.Names.ToList().IndexOf(joinerKind) * NatKinds.Names.Count) + NatKinds.Names.ToList().IndexOf(hostKind);

        var trial = HolePunchExperiment.Trial(seed, joinerKind, hostKind);

        Assert.True(trial.AsTheorySays, $"{joinerKind} to {hostKind}: {trial.Via} (joiner {trial.JoinerPath}, host {trial.HostPath}), theory says {(trial.DirectInTheory ? "direct" : "relayed")} (seed {seed})");
        Assert.True(trial.FirstMessage is not null, $"{joinerKind} to {hostKind}: the first message did not arrive (seed {seed})");
        Assert.True(trial.Sent == trial.Delivered, $"{joinerKind} to {hostKind}: {trial.Delivered} of {trial.Sent} messages delivered (seed {seed})");
    }

    [Fact]
    public void A_relayed_session_moves_to_a_direct_path_when_a_later_punch_gets_through()
    {
        var (network, joiner, host) = Players(170, NatBehavior.PortRestrictedCone, NatBehavior.PortRestrictedCone);
        using var dispose = network;
        // A server the host talks to but does not take as a rendezvous: it relays for the host (a client of
        // its), but the host ignores its PUNCH_NOTIFY, so the first punch is one-sided and fails.
        var closest = host.Engine.Routing.FindClosest(host.Info.Id, host.Engine.Options.KeepalivePeers).Select(c => c.Id).ToHashSet();
        var other = network.Nodes.First(n => n.Nat is null && !closest.Contains(n.Info.Id));
        Assert.True(Run<PingResult>(network, host, (e, now) => e.Ping(now, other.Info)).Succeeded);

        var first = Run<ConnectResult>(network, joiner, (e, now) => e.Connect(now, host.Info, [WireContact.FromNodeInfo(other.Info)]));
        Assert.Equal(PeerPath.Relayed, first.Via);
        Assert.Equal(other.Info.Id, first.Rendezvous?.Id);
        Assert.True(other.Engine.Statistics.Drops.GetValueOrDefault("engine.RelayNoCircuit") == 0);
        Assert.True(host.Engine.Statistics.Drops["engine.PunchRefused"] > 0);

        var second = Connect(network, joiner, host);

        Assert.Equal(PeerPath.Direct, second.Via);
        Assert.Equal(20, Exchange(network, joiner, host, 10));
        Assert.Equal(PeerPath.Direct, host.Engine.PathTo(joiner.Info, network.Now));
        Assert.True(other.Engine.Statistics.RelayedFrames > 0);
    }

    [Fact]
    public void A_direct_session_survives_a_NAT_rebinding_by_punching_again()
    {
        var (network, joiner, host) = Players(171, NatBehavior.PortRestrictedCone, NatBehavior.PortRestrictedCone);
        using var dispose = network;
        Assert.Equal(PeerPath.Direct, Connect(network, joiner, host).Via);
        Assert.Equal(20, Exchange(network, joiner, host, 10));

        joiner.Nat!.Reset(); // the router reboots: every mapping gone, the next packets leave from new ports
        var lost = 20 - Exchange(network, joiner, host, 10);
        var again = Run<ConnectResult>(network, joiner, (e, now) => e.Connect(now, host.Info, host.Engine.RendezvousPoints(now), punchAgain: true));

        Assert.True(lost > 0, "the rebinding broke nothing: the test proves nothing");
        Assert.Equal(PeerPath.Direct, again.Via);
        Assert.Equal(20, Exchange(network, joiner, host, 10));
    }

    [Fact]
    public void A_rendezvous_relays_no_more_than_its_circuit_limit_and_counts_the_rest()
    {
        var limits = new RelayLimits { MaxBytesPerDirection = 6 * 1024, MaxDuration = TimeSpan.FromMinutes(2) };
        var (network, joiner, host) = Players(172, NatBehavior.Symmetric, NatBehavior.Symmetric, serverOptions: new EngineOptions { Relay = limits });
        using var dispose = network;
        var result = Connect(network, joiner, host);
        Assert.Equal(PeerPath.Relayed, result.Via);
        var relay = network.Nodes.Single(n => n.Info.Id == result.Rendezvous!.Value.Id);
        joiner.Engine.OpenAppChannel(Channel);
        host.Engine.OpenAppChannel(Channel);

        var payload = new byte[500];
        for (var i = 0; i < 20; i++)
        {
            network.Start(joiner, (e, now) => { e.SendAppDatagram(now, host.Info, Channel, payload); return default; });
            network.RunFor(TimeSpan.FromMilliseconds(100));
        }

        var delivered = Delivered(host);
        Assert.InRange(delivered, 1, 19);
        Assert.True(delivered * (payload.Length + 34 + 9 + 1 + Channel.Length + 2) <= limits.MaxBytesPerDirection, $"{delivered} delivered");
        Assert.True(relay.Engine.Statistics.Drops["engine.RelayLimit"] >= 20 - delivered);
        Assert.True(relay.Engine.Statistics.RelayedBytes <= 2 * limits.MaxBytesPerDirection);

        // Two minutes on, the pair may open a new circuit: the game goes on, at the relay's pace.
        network.RunFor(limits.MaxDuration);
        network.Start(joiner, (e, now) => { e.SendAppDatagram(now, host.Info, Channel, payload); return default; });
        network.RunFor(TimeSpan.FromSeconds(1));
        Assert.Equal(delivered + 1, Delivered(host));
    }

    [Fact]
    public void A_joiner_connects_to_a_NATed_provider_found_through_its_provider_record()
    {
        var (network, joiner, host) = Players(173, NatBehavior.PortRestrictedCone, NatBehavior.RestrictedCone);
        using var dispose = network;
        var topic = NodeId.Hash("game:poker"u8);
        Assert.True(Run<StoreResult>(network, host, (e, now) => e.Announce(now, topic, "table 7"u8)).Succeeded);

        var found = Run<FindProvidersResult>(network, joiner, (e, now) => e.FindProviders(now, topic));

        var record = Assert.Single(found.Providers);
        Assert.NotEmpty(record.Rendezvous);
        Assert.Equal(Records.RecordError.None, record.Verify());
        var result = Run<ConnectResult>(network, joiner, (e, now) => e.Connect(now, record));
        Assert.Equal(PeerPath.Direct, result.Via);
        Assert.Equal(20, Exchange(network, joiner, host, 10));
    }
}
