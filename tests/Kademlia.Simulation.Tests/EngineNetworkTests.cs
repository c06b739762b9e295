using System.Text;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Records;

namespace Kademlia.Simulation.Tests;

public sealed class EngineNetworkTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);
    private readonly EngineNetwork _network = new(seed: 42, NetworkParameters.Test, TimeSpan.FromMilliseconds(40));

    public void Dispose() => _network.Dispose();

    private List<SimulatedEngine> Bootstrapped(int count)
    {
        var seed = _network.AddNode();
        var nodes = new List<SimulatedEngine> { seed };
        for (var i = 1; i < count; i++)
        {
            var node = _network.AddNode();
            var query = _network.Start(node, (engine, now) => engine.Bootstrap(now, [seed.Info]));
            var result = Assert.IsType<BootstrapResult>(_network.RunUntilFinished(node, query, Limit));
            Assert.True(result.Succeeded, $"node {i} failed to bootstrap (seed 42)");
            nodes.Add(node);
        }

        return nodes;
    }

    private T Run<T>(SimulatedEngine node, Func<KademliaEngine, DateTimeOffset, QueryId> operation)
        where T : QueryResult
    {
        var query = _network.Start(node, operation);
        return Assert.IsType<T>(_network.RunUntilFinished(node, query, Limit));
    }

    [Fact]
    public void Nodes_bootstrapped_from_one_seed_find_every_other_node()
    {
        var nodes = Bootstrapped(25);
        foreach (var node in nodes)
        {
            foreach (var other in nodes.Where(n => n != node))
            {
                var found = Run<FindNodeResult>(node, (engine, now) => engine.FindNode(now, other.Info.Id));
                Assert.True(found.Closest.Count > 0 && found.Closest[0].Id == other.Info.Id, $"node {node.Index} did not find node {other.Index} (seed 42)");
            }
        }
    }

    [Fact]
    public void A_ping_by_address_learns_the_peers_identity_through_XX()
    {
        var a = _network.AddNode();
        var b = _network.AddNode();
        var pong = Run<PingResult>(a, (engine, now) => engine.Ping(now, b.EndPoint));
        Assert.True(pong.Succeeded);
        Assert.Equal(b.Info.Id, pong.Peer!.Value.Id);
        Assert.Equal(a.Info.Endpoint, pong.ObservedEndpoint);
        Assert.NotNull(a.Engine.Routing.Find(b.Info.Id));
        Assert.NotNull(b.Engine.Routing.Find(a.Info.Id));
    }

    [Fact]
    public void An_immutable_value_put_on_one_node_is_found_from_another()
    {
        var nodes = Bootstrapped(20);
        var record = ImmutableRecord.Create(Encoding.UTF8.GetBytes("table 7: two seats open"));
        var stored = Run<StoreResult>(nodes[3], (engine, now) => engine.Put(now, record));
        Assert.True(stored.Succeeded);
        Assert.True(stored.Stored >= 10, $"stored on {stored.Stored} of {stored.Attempted}");

        var got = Run<GetResult>(nodes[17], (engine, now) => engine.Get(now, record.Key, RecordKind.Immutable));
        Assert.True(got.Succeeded);
        Assert.Equal(record.Value.ToArray(), got.Record!.Value.ToArray());
        Assert.InRange(got.Hops, 0, 4); // 0 when the asker is itself among the k closest and holds a replica
    }

    [Fact]
    public void A_mutable_update_is_seen_from_every_node()
    {
        var nodes = Bootstrapped(15);
        var publisher = nodes[2];
        var first = MutableRecord.Create(publisher.Identity, "game-42"u8, 1, "state: dealer shuffles"u8);
        Assert.True(Run<StoreResult>(publisher, (engine, now) => engine.Put(now, first)).Succeeded);
        var second = MutableRecord.Create(publisher.Identity, "game-42"u8, 2, "state: player 1 rolls 7"u8);
        Assert.True(Run<StoreResult>(publisher, (engine, now) => engine.Put(now, second, expectedSequence: 1)).Succeeded);

        foreach (var node in nodes)
        {
            var got = Run<GetResult>(node, (engine, now) => engine.Get(now, first.Key, RecordKind.Mutable));
            var record = Assert.IsType<MutableRecord>(got.Record);
            Assert.Equal(2UL, record.Sequence);
        }
    }

    [Fact]
    public void A_stale_compare_and_swap_is_refused()
    {
        var nodes = Bootstrapped(10);
        var publisher = nodes[1];
        var first = MutableRecord.Create(publisher.Identity, [], 1, "a"u8);
        Assert.True(Run<StoreResult>(publisher, (engine, now) => engine.Put(now, first)).Succeeded);
        var conflicting = MutableRecord.Create(publisher.Identity, [], 2, "b"u8);
        var result = Run<StoreResult>(publisher, (engine, now) => engine.Put(now, conflicting, expectedSequence: 5));
        Assert.False(result.Succeeded);
        Assert.True(result.Rejections.GetValueOrDefault(PutStatus.CasMismatch) > 0);
    }

    [Fact]
    public void Providers_announced_by_several_nodes_are_all_found()
    {
        var nodes = Bootstrapped(20);
        var topic = NodeId.Hash("bitcraps/open-tables"u8);
        var announcers = nodes.Skip(5).Take(6).ToList();
        foreach (var node in announcers)
        {
            Assert.True(Run<StoreResult>(node, (engine, now) => engine.Announce(now, topic, Encoding.UTF8.GetBytes($"table {node.Index}"))).Succeeded);
        }

        var found = Run<FindProvidersResult>(nodes[0], (engine, now) => engine.FindProviders(now, topic));
        Assert.Equal(announcers.Select(n => n.Info.Id).Order(), found.Providers.Select(p => p.Provider.Id).Order());
        Assert.Equal(announcers.Count, nodes[0].Events.OfType<ProviderFound>().Count());
    }

    [Fact]
    public void Values_survive_the_loss_of_forty_percent_of_the_nodes()
    {
        var nodes = Bootstrapped(30);
        var records = Enumerable.Range(0, 20).Select(i => ImmutableRecord.Create(Encoding.UTF8.GetBytes($"record {i}"))).ToList();
        foreach (var (record, i) in records.Select((r, i) => (r, i)))
        {
            Assert.True(Run<StoreResult>(nodes[i % nodes.Count], (engine, now) => engine.Put(now, record)).Succeeded);
        }

        var asker = nodes[0];
        foreach (var node in nodes.Skip(1).Where((_, i) => i % 5 < 2))
        {
            _network.Stop(node);
        }

        var found = records.Count(record => Run<GetResult>(asker, (engine, now) => engine.Get(now, record.Key, RecordKind.Immutable)).Succeeded);
        Assert.Equal(records.Count, found);
    }

    [Fact]
    public void A_full_bucket_keeps_a_live_oldest_contact_after_pinging_it()
    {
        var nodes = Bootstrapped(12);
        var pings = nodes.Sum(n => n.Engine.Statistics.RequestsServed);
        Assert.True(pings > 0);
        Assert.All(nodes, n => Assert.True(n.Engine.Routing.Count >= 5, $"node {n.Index} knows {n.Engine.Routing.Count}"));
        Assert.All(nodes, n => Assert.Equal(0, n.Engine.Statistics.TotalDrops));
    }
}
