using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Records;

namespace Kademlia.Simulation.Tests;

/// <summary>Issue 18, item 3: a mutable GET reports its first value at once and its final answer later.</summary>
public sealed class EarlyValueTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    [Fact]
    public void A_mutable_get_reports_the_first_value_early_then_the_newer_sequence_the_k_closest_hold()
    {
        using var network = new EngineNetwork(51, NetworkParameters.Test with { K = 8 }, TimeSpan.FromMilliseconds(40));
        var seed = network.AddNode();
        var nodes = Enumerable.Range(0, 30).Select(_ => network.AddNode()).ToList();
        foreach (var node in nodes)
        {
            Assert.NotNull(network.RunUntilFinished(node, network.Start(node, (e, now) => e.Bootstrap(now, [seed.Info])), Limit));
        }

        using var publisher = NodeIdentity.Generate(NetworkParameters.Test);
        var old = MutableRecord.Create(publisher, "seat"u8, 1, "free"u8);
        var put = network.Start(nodes[0], (e, now) => e.Put(now, old));
        Assert.True(network.RunUntilFinished(nodes[0], put, Limit)!.Succeeded);

        // Only the farthest of the k closest learned sequence 2 (a put that reached one replica).
        var holders = network.Nodes.OrderBy(n => n.Info.Id ^ old.Key).Take(8).Where(n => n.Engine.Store.Get(old.Key, network.Now) is not null).ToList();
        var newer = MutableRecord.Create(publisher, "seat"u8, 2, "taken"u8);
        Assert.Equal(StoreError.None, holders[^1].Engine.Store.Put(newer, publisher.Id, network.Now, network.Now + TimeSpan.FromHours(1)));

        var reader = nodes.First(n => n.Engine.Store.Get(old.Key, network.Now) is null);
        var get = network.Start(reader, (e, now) => e.Get(now, old.Key, RecordKind.Mutable));
        var result = Assert.IsType<GetResult>(network.RunUntilFinished(reader, get, Limit));

        var found = reader.Events.OfType<ValueFound>().Where(v => v.Query == get).ToList();
        Assert.Equal(2UL, ((MutableRecord)result.Record!).Sequence);
        Assert.Equal([1UL, 2UL], found.Select(v => ((MutableRecord)v.Record).Sequence));
        Assert.Equal(1UL, ((MutableRecord)result.FirstRecord!).Sequence);
        Assert.True(result.FirstFoundAfter < result.Duration, $"first value after {result.FirstFoundAfter}, final after {result.Duration} (seed 51)");
    }

    [Fact]
    public void An_immutable_get_reports_its_value_once_and_a_missing_key_none()
    {
        using var network = new EngineNetwork(52, NetworkParameters.Test, TimeSpan.FromMilliseconds(40));
        var seed = network.AddNode();
        var nodes = Enumerable.Range(0, 10).Select(_ => network.AddNode()).ToList();
        foreach (var node in nodes)
        {
            network.RunUntilFinished(node, network.Start(node, (e, now) => e.Bootstrap(now, [seed.Info])), Limit);
        }

        var record = ImmutableRecord.Create("once"u8);
        network.RunUntilFinished(nodes[0], network.Start(nodes[0], (e, now) => e.Put(now, record)), Limit);
        var get = network.Start(nodes[5], (e, now) => e.Get(now, record.Key, RecordKind.Immutable));
        var result = Assert.IsType<GetResult>(network.RunUntilFinished(nodes[5], get, Limit));
        Assert.Single(nodes[5].Events.OfType<ValueFound>(), v => v.Query == get);
        Assert.Equal(result.Record, result.FirstRecord);

        var missing = network.Start(nodes[6], (e, now) => e.Get(now, ImmutableRecord.KeyOf("nobody stored this"u8), RecordKind.Immutable));
        var none = Assert.IsType<GetResult>(network.RunUntilFinished(nodes[6], missing, Limit));
        Assert.False(none.Succeeded);
        Assert.Null(none.FirstFoundAfter);
        Assert.DoesNotContain(nodes[6].Events, e => e is ValueFound v && v.Query == missing);
    }
}
