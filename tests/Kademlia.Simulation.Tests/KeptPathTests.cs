using Kademlia.Engine;
using Xunit.Abstractions;

using static Kademlia.Simulation.Tests.HolePunchTests;
using static Kademlia.Simulation.Tests.Runs;

namespace Kademlia.Simulation.Tests;

/// <summary>
/// Kept paths (issue 15, item 4): two players who keep the path between them talk while their NATs change
/// under them. A relayed path goes direct once the NATs allow a punch; a path whose NAT mapping changed
/// (a rebinding) is punched again and carries every message sent once the new mapping is learned.
/// </summary>
public sealed class KeptPathTests(ITestOutputHelper output)
{
    /// <summary>Connects the joiner to the host and has both keep the path: the joiner with the host's rendezvous points.</summary>
    private static ConnectResult ConnectAndKeep(EngineNetwork network, SimulatedEngine joiner, SimulatedEngine host)
    {
        var rendezvous = host.Engine.RendezvousPoints(network.Now);
        var result = Run<ConnectResult>(network, joiner, (e, now) => e.Connect(now, host.Info, rendezvous));
        network.Start(joiner, (e, now) => { Assert.True(e.KeepLink(now, host.Info, rendezvous)); return default; });
        network.Start(host, (e, now) => { Assert.True(e.KeepLink(now, joiner.Info)); return default; });
        return result;
    }

    /// <summary>Every datagram <paramref name="from"/> sent reached <paramref name="to"/>, once.</summary>
    private static void AssertAllDelivered(Conversation.Side from, Conversation.Side to, string direction)
    {
        var numbers = to.DatagramsDelivered.Select(d => d.Number).ToList();
        Assert.True(numbers.Count == numbers.Distinct().Count(), $"{direction}: a datagram was delivered twice");
        var missing = Enumerable.Range(0, from.DatagramsSent.Count).Except(numbers).ToList();
        Assert.True(missing.Count == 0, $"{direction}: {missing.Count} of {from.DatagramsSent.Count} datagrams lost, first {string.Join(", ", missing.Take(5))}");
    }

    /// <summary>Lockstep requests reach the other side in the order they were made (a retry may repeat one, never go back).</summary>
    private static void AssertRequestsInOrder(Conversation.Side to, string direction)
    {
        for (var i = 1; i < to.RequestsDelivered.Count; i++)
        {
            Assert.True(to.RequestsDelivered[i] >= to.RequestsDelivered[i - 1], $"{direction}: request {to.RequestsDelivered[i]} after {to.RequestsDelivered[i - 1]}");
        }
    }

    private static int Reordered(Conversation.Side to) =>
        to.DatagramsDelivered.Zip(to.DatagramsDelivered.Skip(1)).Count(p => p.Second.Number < p.First.Number);

    [Fact]
    public void A_relayed_path_goes_direct_once_the_NATs_allow_a_punch_and_no_message_is_lost_on_the_way()
    {
        // The joiner's NAT filters by port and the host's maps per destination: no punch can work (RFC 5128).
        var (network, joiner, host) = Players(180, NatBehavior.PortRestrictedCone, NatBehavior.Symmetric);
        using var dispose = network;
        var connected = ConnectAndKeep(network, joiner, host);
        Assert.Equal(PeerPath.Relayed, connected.Via);
        var relay = network.Nodes.Single(n => n.Info.Id == connected.Rendezvous!.Value.Id);
        var talk = new Conversation(network, joiner, host);
        var reconfiguredAt = TimeSpan.FromSeconds(25);
        long relayedAtEnd = 0;

        // 25 seconds in, the joiner's router filters by address only: the host's packets from the port its
        // NAT maps towards the joiner now get in, so a punch can work. The joiner keeps trying with backoff.
        talk.Run(TimeSpan.FromSeconds(75), elapsed =>
        {
            if (elapsed == reconfiguredAt)
            {
                joiner.Nat!.Reconfigure(NatBehavior.RestrictedCone);
            }

            if (elapsed == TimeSpan.FromSeconds(60))
            {
                relayedAtEnd = relay.Engine.Statistics.RelayedFrames;
            }
        });
        talk.Drain(TimeSpan.FromSeconds(3));

        Assert.Equal(PeerPath.Direct, joiner.Engine.PathTo(host.Info, network.Now));
        Assert.Equal(PeerPath.Direct, host.Engine.PathTo(joiner.Info, network.Now));
        Assert.Equal(PeerPath.Direct, Assert.Single(talk.A.PathChanges).Path);
        Assert.Equal(PeerPath.Direct, Assert.Single(talk.B.PathChanges).Path);
        Assert.True(relayedAtEnd == relay.Engine.Statistics.RelayedFrames, "the relay still carries the players' traffic");
        Assert.True(joiner.Engine.Statistics.KeptPathUpgrades == 1, $"{joiner.Engine.Statistics.KeptPathUpgrades} upgrades");
        AssertAllDelivered(talk.A, talk.B, "joiner to host");
        AssertAllDelivered(talk.B, talk.A, "host to joiner");
        AssertRequestsInOrder(talk.B, "joiner to host");
        AssertRequestsInOrder(talk.A, "host to joiner");
        Assert.True(talk.A.RequestsAnswered.Count > 100 && talk.B.RequestsAnswered.Count > 100);

        var start = talk.A.DatagramsSent[0];
        output.WriteLine($"relayed until {(talk.A.PathChanges[0].At - start).TotalSeconds:F2} s (joiner) and {(talk.B.PathChanges[0].At - start).TotalSeconds:F2} s (host); the NAT allowed punching at {reconfiguredAt.TotalSeconds} s");
        output.WriteLine($"punches by the joiner's kept path: {joiner.Engine.Statistics.KeptPathPunches}; datagrams delivered out of order: {Reordered(talk.B)} joiner to host, {Reordered(talk.A)} host to joiner");
        output.WriteLine($"requests answered in lockstep: {talk.A.RequestsAnswered.Count} by the host, {talk.B.RequestsAnswered.Count} by the joiner");
    }

    [Theory]
    [InlineData("joiner")]
    [InlineData("host")]
    public void A_direct_path_survives_a_NAT_rebinding_and_loses_nothing_once_the_new_mapping_is_learned(string rebinding)
    {
        var (network, joiner, host) = Players(rebinding == "joiner" ? 181 : 182, NatBehavior.PortRestrictedCone, NatBehavior.PortRestrictedCone);
        using var dispose = network;
        Assert.Equal(PeerPath.Direct, ConnectAndKeep(network, joiner, host).Via);
        var talk = new Conversation(network, joiner, host);
        var rebound = rebinding == "joiner" ? joiner : host;
        var rebindAt = TimeSpan.FromSeconds(10);
        DateTimeOffset? rebindTime = null;

        // The router reboots mid-game: every mapping gone, the next packets leave from new ports.
        talk.Run(TimeSpan.FromSeconds(60), elapsed =>
        {
            if (elapsed == rebindAt)
            {
                rebound.Nat!.Reset();
                rebindTime = network.Now;
            }
        });
        talk.Drain(TimeSpan.FromSeconds(3));

        Assert.Equal(PeerPath.Direct, joiner.Engine.PathTo(host.Info, network.Now));
        Assert.Equal(PeerPath.Direct, host.Engine.PathTo(joiner.Info, network.Now));
        foreach (var (from, to, direction) in new[] { (talk.A, talk.B, "joiner to host"), (talk.B, talk.A, "host to joiner") })
        {
            var delivered = to.DatagramsDelivered.Select(d => d.Number).ToHashSet();
            var firstAfter = from.DatagramsSent.FindIndex(at => at >= rebindTime);
            var lost = Enumerable.Range(0, from.DatagramsSent.Count).Where(n => !delivered.Contains(n)).ToList();
            Assert.True(lost.Count > 0, $"{direction}: the rebinding lost nothing, so the test proves nothing");
            Assert.True(lost[0] >= firstAfter - 1, $"{direction}: datagram {lost[0]} lost before the rebinding");

            // Learned: the first datagram sent after the rebinding that got through. Nothing after it is lost.
            var learned = Enumerable.Range(firstAfter, from.DatagramsSent.Count - firstAfter).First(delivered.Contains);
            Assert.True(lost[^1] < learned, $"{direction}: datagram {lost[^1]} lost after {learned} got through on the new mapping");
            AssertRequestsInOrder(to, direction);
            output.WriteLine($"{rebinding} rebinds, {direction}: {lost.Count} datagrams lost, the path carried again {(from.DatagramsSent[learned] - rebindTime!.Value).TotalSeconds:F2} s after the rebinding");
        }

        output.WriteLine($"punches by the kept paths: joiner {joiner.Engine.Statistics.KeptPathPunches}, host {host.Engine.Statistics.KeptPathPunches}; path changes: joiner {string.Join(", ", talk.A.PathChanges.Select(c => c.Path))}, host {string.Join(", ", talk.B.PathChanges.Select(c => c.Path))}");
    }

    [Fact]
    public void A_kept_path_to_a_peer_that_left_is_repaired_with_backoff_then_given_up_and_reported_lost()
    {
        var (network, joiner, host) = Players(183, NatBehavior.PortRestrictedCone, NatBehavior.PortRestrictedCone);
        using var dispose = network;
        Assert.Equal(PeerPath.Direct, ConnectAndKeep(network, joiner, host).Via);
        network.RunFor(TimeSpan.FromSeconds(30));
        Assert.Equal(0, joiner.Engine.Statistics.KeptPathPunches); // a quiet path that works is only pinged

        network.Stop(host);
        network.RunFor(TimeSpan.FromMinutes(4));

        var stats = joiner.Engine.Statistics;
        // The first repair finds no direct path and falls back to the relay, which cannot reach the host either.
        Assert.Equal([PeerPath.Relayed, PeerPath.None], joiner.Events.OfType<PeerPathChanged>().Select(e => e.Path));
        Assert.Equal(0, stats.KeptPaths);
        // Dead 3 s after the last answer, then repairs 1, 2, 4, 8, 16, 30, 30 … s apart until 2 minutes of silence.
        Assert.InRange(stats.KeptPathPunches, 6, 10);
        output.WriteLine($"repairs before giving up: {stats.KeptPathPunches}");
    }

    [Fact]
    public void A_relayed_path_that_cannot_go_direct_stops_trying_after_eight_punches_and_stays_relayed()
    {
        var (network, joiner, host) = Players(184, NatBehavior.Symmetric, NatBehavior.Symmetric);
        using var dispose = network;
        Assert.Equal(PeerPath.Relayed, ConnectAndKeep(network, joiner, host).Via);

        network.RunFor(TimeSpan.FromMinutes(20));

        Assert.Equal(8, joiner.Engine.Statistics.KeptPathPunches);
        Assert.Equal(PeerPath.Relayed, joiner.Engine.PathTo(host.Info, network.Now));
        Assert.Empty(joiner.Events.OfType<PeerPathChanged>());
        Assert.Equal(1, joiner.Engine.Statistics.KeptPaths);
    }
}
