using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Records;

using static Kademlia.Simulation.Tests.Runs;

namespace Kademlia.Simulation.Tests;

/// <summary>
/// A publisher restarted with the list of what it publishes (<see cref="KademliaEngine.Published"/>,
/// <see cref="KademliaEngine.Restore"/>) goes on republishing it (issue 12, item 9). A short TTL and
/// republish interval keep the virtual time small; the rules are the same at 48 h and 22 h.
/// </summary>
public sealed class OwnRecordRestartTests
{
    private static readonly NetworkParameters Parameters = NetworkParameters.Test with
    {
        K = 5,
        RecordTtl = TimeSpan.FromHours(2),
        RepublishInterval = TimeSpan.FromHours(1),
    };

    private static readonly NodeId Topic = NodeId.Hash("open games"u8);

    private static (EngineNetwork Network, SimulatedEngine Seed, SimulatedEngine Publisher, ValueRecord Record) PublishedOnTwelveNodes(int seed)
    {
        var network = new EngineNetwork(seed, Parameters, TimeSpan.FromMilliseconds(30));
        var first = network.AddNode();
        var others = Enumerable.Range(0, 11).Select(_ => network.AddNode()).ToList();
        foreach (var node in others)
        {
            Assert.True(Run<BootstrapResult>(network, node, (e, now) => e.Bootstrap(now, [first.Info])).Succeeded, $"bootstrap failed (seed {seed})");
        }

        var publisher = others[0];
        var record = ImmutableRecord.Create("still here after a restart"u8);
        Assert.True(Run<StoreResult>(network, publisher, (e, now) => e.Put(now, record)).Succeeded);
        Assert.True(Run<StoreResult>(network, publisher, (e, now) => e.Announce(now, Topic, "table 7"u8)).Succeeded);
        return (network, first, publisher, record);
    }

    private static List<SimulatedEngine> ClosestOthers(EngineNetwork network, SimulatedEngine publisher, NodeId key) =>
        network.Nodes.Where(n => n.Index != publisher.Index).OrderBy(n => n.Info.Id ^ key).Take(Parameters.K).ToList();

    [Fact]
    public void A_restored_publisher_republishes_so_its_record_and_announcement_outlive_the_first_ttl()
    {
        var (network, seed, publisher, record) = PublishedOnTwelveNodes(31);
        using var disposeNetwork = network;
        var putAt = network.Now;
        var saved = publisher.Engine.Published;
        Assert.Equal(2, saved.Count);
        Assert.Contains(publisher.Events, e => e is PublishedChanged);

        network.RunFor(TimeSpan.FromMinutes(10));
        var restarted = network.Restart(publisher, (engine, now) => Assert.Equal(2, engine.Restore(now, saved)));
        Assert.True(Run<BootstrapResult>(network, restarted, (e, now) => e.Bootstrap(now, [seed.Info])).Succeeded);

        // Past one republish interval and past the TTL of the first put: only republishing keeps it alive.
        network.RunFor(Parameters.RecordTtl + TimeSpan.FromMinutes(10));
        var now = network.Now;
        Assert.True(now > putAt + Parameters.RecordTtl);
        Assert.All(ClosestOthers(network, publisher, record.Key), n =>
            Assert.True(n.Engine.Store.Get(record.Key, now) is { } held && held.ExpiresAt > now, $"node {n.Index} of the {Parameters.K} closest lacks the value (seed 31)"));
        Assert.All(ClosestOthers(network, publisher, Topic), n =>
            Assert.Contains(n.Engine.Store.GetProviders(Topic, now, 10), p => p.Provider.Id == publisher.Info.Id && p.ApplicationData.Span.SequenceEqual("table 7"u8)));
        Assert.Equal(2, restarted.Engine.Published.Count);
    }

    [Fact]
    public void A_restored_record_whose_republish_is_overdue_is_republished_once_the_node_has_joined()
    {
        var (network, seed, publisher, record) = PublishedOnTwelveNodes(32);
        using var disposeNetwork = network;
        var saved = publisher.Engine.Published;

        // Down for longer than a republish interval; the first publication has 20 minutes left.
        network.Stop(publisher);
        network.RunFor(Parameters.RepublishInterval + TimeSpan.FromMinutes(40));
        var restarted = network.Restart(publisher, (engine, now) => engine.Restore(now, saved));
        Assert.True(Run<BootstrapResult>(network, restarted, (e, now) => e.Bootstrap(now, [seed.Info])).Succeeded);
        network.RunFor(restarted.Engine.Options.MaintenanceInterval * 2);

        var now = network.Now;
        Assert.All(ClosestOthers(network, publisher, record.Key), n =>
            Assert.True(n.Engine.Store.Get(record.Key, now) is { } held && held.ExpiresAt > now + Parameters.RecordTtl - TimeSpan.FromMinutes(5),
                $"node {n.Index} holds no fresh copy (seed 32)"));
        Assert.True(restarted.Engine.Published.All(p => p.NextRepublish > now + Parameters.RepublishInterval - TimeSpan.FromMinutes(5)));
        Assert.Contains(restarted.Events, e => e is PublishedChanged);
    }

    [Fact]
    public void A_restored_value_is_held_locally_again_with_the_lifetime_of_its_last_publication()
    {
        using var network = new EngineNetwork(33, Parameters, TimeSpan.FromMilliseconds(30));
        var node = network.AddNode();
        var record = ImmutableRecord.Create("mine"u8);
        var next = network.Now + TimeSpan.FromMinutes(30);
        var saved = new[] { PublishedRecord.ForValue(record, next) };

        var restarted = network.Restart(node, (engine, now) => Assert.Equal(1, engine.Restore(now, saved)));

        var held = restarted.Engine.Store.Get(record.Key, network.Now);
        Assert.NotNull(held);
        Assert.Equal(next - Parameters.RepublishInterval + Parameters.RecordTtl, held.ExpiresAt);
        Assert.Equal(record.Key, Assert.Single(restarted.Engine.Published).Key);
    }
}
