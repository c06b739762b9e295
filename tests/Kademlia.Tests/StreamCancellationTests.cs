using System.Net;
using Kademlia.Identity;
using Kademlia.Records;

namespace Kademlia.Tests;

/// <summary>
/// Issue 16 item 6: leaving <c>await foreach</c> over <see cref="DhtNode.FindProvidersAsync"/> or
/// <see cref="DhtNode.GetUpdatesAsync"/> early cancels the lookup behind it. The asking node's clock
/// stands still and one node of its table is gone, so without the cancellation the lookup would wait for
/// that node forever: the only way its active query count goes back to zero is the break.
/// </summary>
public sealed class StreamCancellationTests
{
    private static readonly NetworkParameters Network = NetworkParameters.Test;

    private static CancellationToken Guard() => new CancellationTokenSource(LoopbackNetwork.Guard).Token;

    private static DhtNodeOptions Options(TimeProvider? clock = null) =>
        new() { Network = Network, Bind = new IPEndPoint(IPAddress.Loopback, 0), TimeProvider = clock ?? TimeProvider.System };

    [Fact]
    public async Task Breaking_out_of_FindProvidersAsync_cancels_the_lookup()
    {
        var topic = NodeId.Hash("stream-cancellation-topic"u8);
        await using var cluster = await Cluster.StartAsync(async provider =>
            Assert.True((await provider.AnnounceAsync(topic, cancellationToken: Guard())).Succeeded));

        var found = 0;
        await foreach (var provider in cluster.Asker.FindProvidersAsync(topic, cancellationToken: Guard()))
        {
            Assert.Equal(cluster.Provider.Id, provider.Provider.Id);
            found++;
            break;
        }

        Assert.Equal(1, found);
        Assert.Equal(0, await cluster.ActiveQueriesOnceSettledAsync());
    }

    [Fact]
    public async Task Breaking_out_of_GetUpdatesAsync_cancels_the_lookup()
    {
        using var signer = RecordSigningKey.Generate();
        var record = MutableRecord.Create(signer, "profile"u8, 1, "first"u8);
        await using var cluster = await Cluster.StartAsync(async provider =>
            Assert.True((await provider.PutAsync(record, cancellationToken: Guard())).Succeeded));

        var found = 0;
        await foreach (var value in cluster.Asker.GetUpdatesAsync(record.Key, RecordKind.Mutable, Guard()))
        {
            Assert.Equal(record, value);
            found++;
            break;
        }

        Assert.Equal(1, found);
        Assert.Equal(0, await cluster.ActiveQueriesOnceSettledAsync());
    }

    /// <summary>
    /// A seed, a node that publishes, a node that goes away once the asker knows it, and the asker, whose
    /// clock stands still (no request of its ever times out).
    /// </summary>
    private sealed class Cluster : IAsyncDisposable
    {
        private readonly List<DhtNode> _nodes;

        private Cluster(List<DhtNode> nodes) => _nodes = nodes;

        public DhtNode Provider => _nodes[1];

        public DhtNode Asker => _nodes[2];

        public static async Task<Cluster> StartAsync(Func<DhtNode, Task> publish)
        {
            var nodes = new List<DhtNode>();
            var cluster = new Cluster(nodes);
            DhtNode? gone = null;
            try
            {
                var seed = await DhtNode.StartAsync(Options());
                nodes.Add(seed);
                var provider = await DhtNode.StartAsync(Options());
                nodes.Add(provider);
                gone = await DhtNode.StartAsync(Options());
                Assert.True((await provider.BootstrapAsync([seed.ContactString], Guard())).Succeeded);
                Assert.True((await gone.BootstrapAsync([seed.ContactString], Guard())).Succeeded);
                await publish(provider);

                var asker = await DhtNode.StartAsync(Options(new StoppedClock(DateTimeOffset.UtcNow)));
                nodes.Add(asker);
                Assert.True((await asker.BootstrapAsync([seed.ContactString], Guard())).Succeeded);
                Assert.Equal(0, await cluster.ActiveQueriesOnceSettledAsync());
                var table = await asker.GetContactsAsync(Guard());
                Assert.Contains(table, c => c.Id == gone.Id);
                Assert.Contains(table, c => c.Id == provider.Id);
                await gone.DisposeAsync();
                return cluster;
            }
            catch
            {
                if (gone is not null)
                {
                    await gone.DisposeAsync();
                }

                await cluster.DisposeAsync();
                throw;
            }
        }

        /// <summary>The asker's active queries once they stop changing toward zero (bounded: a guard, not a timing).</summary>
        public async Task<int> ActiveQueriesOnceSettledAsync()
        {
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (true)
            {
                var active = (await Asker.GetStatisticsAsync(Guard())).Engine.QueriesActive;
                if (active == 0 || guard.IsCancellationRequested)
                {
                    return active;
                }

                await Task.Delay(20, CancellationToken.None);
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var node in _nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    /// <summary>A clock that never moves.</summary>
    private sealed class StoppedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
