using System.Text;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Records;

namespace Kademlia.Tests;

/// <summary>A 30-node network on loopback UDP, shared by the tests that do not stop nodes.</summary>
public sealed class ThirtyNodes : IAsyncLifetime
{
    public LoopbackNetwork Network { get; private set; } = null!;

    public async Task InitializeAsync() => Network = await LoopbackNetwork.StartAsync(30);

    public async Task DisposeAsync() => await Network.DisposeAsync();
}

public sealed class DhtNodeTests(ThirtyNodes fixture) : IClassFixture<ThirtyNodes>
{
    private List<DhtNode> Nodes => fixture.Network.Nodes;

    private static CancellationToken Guard() => new CancellationTokenSource(LoopbackNetwork.Guard).Token;

    [Fact]
    public async Task Every_node_finds_every_other_node()
    {
        var failures = await Task.WhenAll(Nodes.Select(async node =>
        {
            var missed = new List<string>();
            foreach (var other in Nodes.Where(n => n != node))
            {
                var result = await node.FindNodeAsync(other.Id, Guard());
                if (result.Closest.Count == 0 || result.Closest[0].Id != other.Id)
                {
                    missed.Add($"{node.Id.ToShortString()} missed {other.Id.ToShortString()}");
                }
            }

            return missed;
        }));
        Assert.Empty(failures.SelectMany(f => f));
    }

    [Fact]
    public async Task An_immutable_record_put_on_one_node_is_got_from_another()
    {
        var record = ImmutableRecord.Create(Encoding.UTF8.GetBytes($"immutable {Guid.NewGuid()}"));
        var put = await Nodes[4].PutAsync(record, cancellationToken: Guard());
        Assert.True(put.Succeeded);
        var got = await Nodes[25].GetAsync(record.Key, RecordKind.Immutable, Guard());
        Assert.Equal(record.Value.ToArray(), got.Record!.Value.ToArray());
    }

    [Fact]
    public async Task Get_updates_stream_the_value_as_found_and_end_with_the_final_answer()
    {
        using var publisher = NodeIdentity.Generate(NetworkParameters.Test);
        var salt = Encoding.UTF8.GetBytes($"stream-{Guid.NewGuid():N}");
        var record = MutableRecord.Create(publisher, salt, 3, "three"u8);
        Assert.True((await Nodes[3].PutAsync(record, cancellationToken: Guard())).Succeeded);

        var seen = new List<ulong>();
        await foreach (var value in Nodes[21].GetUpdatesAsync(record.Key, RecordKind.Mutable, Guard()))
        {
            seen.Add(((MutableRecord)value).Sequence);
        }

        Assert.NotEmpty(seen);
        Assert.Equal(3UL, seen[^1]);
        Assert.Equal(seen.Order(), seen); // each yield improves on the last

        var nothing = new List<ValueRecord>();
        await foreach (var value in Nodes[22].GetUpdatesAsync(ImmutableRecord.KeyOf(salt), RecordKind.Immutable, Guard()))
        {
            nothing.Add(value);
        }

        Assert.Empty(nothing);
    }

    [Fact]
    public async Task A_mutable_update_is_seen_from_every_node()
    {
        using var publisher = NodeIdentity.Generate(NetworkParameters.Test);
        var salt = Encoding.UTF8.GetBytes($"table-{Guid.NewGuid():N}");
        var first = MutableRecord.Create(publisher, salt, 1, "seat 1: alice"u8);
        Assert.True((await Nodes[7].PutAsync(first, cancellationToken: Guard())).Succeeded);
        var second = MutableRecord.Create(publisher, salt, 2, "seat 1: alice, seat 2: bob"u8);
        Assert.True((await Nodes[7].PutAsync(second, expectedSequence: 1, Guard())).Succeeded);

        var sequences = await Task.WhenAll(Nodes.Select(async n => ((MutableRecord)(await n.GetAsync(first.Key, RecordKind.Mutable, Guard())).Record!).Sequence));
        Assert.All(sequences, s => Assert.Equal(2UL, s));
    }

    [Fact]
    public async Task Providers_announced_by_ten_nodes_are_all_found()
    {
        var topic = NodeId.Hash(Encoding.UTF8.GetBytes($"games/{Guid.NewGuid()}"));
        var announcers = Nodes.Skip(10).Take(10).ToList();
        var results = await Task.WhenAll(announcers.Select(n => n.AnnounceAsync(topic, Encoding.UTF8.GetBytes($"table at {n.LocalEndpoint}"), Guard())));
        Assert.All(results, r => Assert.True(r.Succeeded));

        var found = new List<ProviderRecord>();
        await foreach (var provider in Nodes[0].FindProvidersAsync(topic, cancellationToken: Guard()))
        {
            found.Add(provider);
        }

        Assert.Equal(announcers.Select(n => n.Id).Order(), found.Select(p => p.Provider.Id).Order());
        Assert.All(found, p => Assert.StartsWith("table at 127.0.0.1:", Encoding.UTF8.GetString(p.ApplicationData.Span)));
    }

    [Fact]
    public async Task Statistics_show_the_table_by_bucket_and_the_traffic()
    {
        var stats = await Nodes[3].GetStatisticsAsync();
        Assert.Equal(stats.Engine.RoutingTableSize, stats.Buckets.Values.Sum());
        Assert.True(stats.Engine.RoutingTableSize >= 20, $"table holds {stats.Engine.RoutingTableSize}");
        Assert.True(stats.Engine.PacketsIn > 0 && stats.Engine.PacketsOut > 0);
    }
}
