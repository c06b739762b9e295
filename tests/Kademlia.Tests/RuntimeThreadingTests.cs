using System.Net;
using System.Net.Sockets;
using System.Text;
using Kademlia.Identity;
using Kademlia.Records;

namespace Kademlia.Tests;

/// <summary>
/// <see cref="DhtNodeOptions.ReceiveThreading"/> and <see cref="DhtNodeOptions.UnsafePreferInlineScheduling"/>: the code after an await runs on the thread that saw
/// the answer, never while that thread holds the node's engine, and nothing is lost or left hanging by it.
/// The loops that look at threads run in <see cref="Task.Run(Func{Task})"/>, out of the test framework's
/// synchronization context, which would otherwise take every continuation for itself.
/// </summary>
public sealed class RuntimeThreadingTests
{
    private static CancellationToken Guard() => new CancellationTokenSource(LoopbackNetwork.Guard).Token;

    private static Task<DhtNode> StartAsync(bool inline, ReceiveThreading threading = ReceiveThreading.Auto) => DhtNode.StartAsync(new DhtNodeOptions
    {
        Network = NetworkParameters.Test,
        Bind = new IPEndPoint(IPAddress.Loopback, 0),
        UnsafePreferInlineScheduling = inline,
        ReceiveThreading = threading,
        RequestsPerSecondPerSource = 1_000_000, // thousands of pings from one source are the point here, not its rate limit
    });

    [Fact]
    public async Task A_pings_continuation_runs_on_the_receive_thread_only_when_asked_for()
    {
        await using var inline = await StartAsync(inline: true, ReceiveThreading.DedicatedThread);
        await using var pooled = await StartAsync(inline: false, ReceiveThreading.DedicatedThread);
        await using var peer = await StartAsync(inline: false);

        // The first ping opens the session; the later ones are answered on it, and their pongs reach the
        // receive thread from a known peer.
        Assert.True((await inline.PingAsync(peer.Info, Guard())).Succeeded);
        Assert.True((await pooled.PingAsync(peer.Info, Guard())).Succeeded);
        var inlineThreads = new HashSet<string?>();
        var pooledThreads = new HashSet<bool>();
        await Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                Assert.True((await inline.PingAsync(peer.Info, Guard())).Succeeded);
                inlineThreads.Add(Thread.CurrentThread.Name);
                Assert.True((await pooled.PingAsync(peer.Info, Guard())).Succeeded);
                pooledThreads.Add(Thread.CurrentThread.IsThreadPoolThread);
            }
        });

        Assert.Contains(DhtNode.ReceiveThreadName, inlineThreads);
        Assert.Equal([true], pooledThreads);
    }

    [Theory]
    [InlineData(ReceiveThreading.DedicatedThread)]
    [InlineData(ReceiveThreading.ThreadPool)]
    public async Task A_continuation_that_waits_for_the_nodes_loop_never_holds_the_engine(ReceiveThreading threading)
    {
        // Were the continuation run under the engine's lock, or on the loop, the loop could not answer the
        // statistics call, and the synchronous wait below would last until the guard failed the test.
        await using var node = await StartAsync(inline: true, threading);
        await using var peer = await StartAsync(inline: false);
        Assert.True((await node.PingAsync(peer.Info, Guard())).Succeeded);
        var waitedOnReceiveThread = 0;
        await Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                var pong = await node.PingAsync(peer.Info, Guard());
                Assert.True(pong.Succeeded);
                waitedOnReceiveThread += threading == ReceiveThreading.ThreadPool || Thread.CurrentThread.Name == DhtNode.ReceiveThreadName ? 1 : 0;
                var statistics = node.GetStatisticsAsync(Guard()).GetAwaiter().GetResult();
                Assert.True(statistics.Engine.PacketsIn > 0);
            }
        });

        Assert.True(waitedOnReceiveThread > 0, "no continuation ran on the receive thread");
    }

    [Theory]
    [InlineData(ReceiveThreading.DedicatedThread)]
    [InlineData(ReceiveThreading.ThreadPool)]
    public async Task Continuations_that_ping_again_keep_a_window_of_pings_going_and_each_gets_its_own_answer(ReceiveThreading threading)
    {
        await using var node = await StartAsync(inline: true, threading);
        await using var peer = await StartAsync(inline: true, threading);
        Assert.True((await node.PingAsync(peer.Info, Guard())).Succeeded);
        var workers = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            var answered = 0;
            for (var i = 0; i < 200; i++)
            {
                var pong = await node.PingAsync(peer.Info, Guard());
                Assert.True(pong.Succeeded, $"ping {i} failed: {pong.Failure}");
                Assert.Equal(peer.Id, pong.Peer?.Id);
                answered++;
            }

            return answered;
        }));
        Assert.All(await Task.WhenAll(workers), answered => Assert.Equal(200, answered));
    }

    [Theory]
    [InlineData(ReceiveThreading.DedicatedThread)]
    [InlineData(ReceiveThreading.ThreadPool)]
    public async Task Lookups_and_stores_complete_with_inline_scheduling(ReceiveThreading threading)
    {
        await using var network = await LoopbackNetwork.StartAsync(8, configure: options =>
        {
            options.UnsafePreferInlineScheduling = true;
            options.ReceiveThreading = threading;
        });
        var nodes = network.Nodes;
        var record = ImmutableRecord.Create(Encoding.UTF8.GetBytes($"inline {Guid.NewGuid()}"));
        Assert.True((await nodes[3].PutAsync(record, cancellationToken: Guard())).Succeeded);
        var got = await nodes[6].GetAsync(record.Key, RecordKind.Immutable, Guard());
        Assert.Equal(record.Value.ToArray(), got.Record?.Value.ToArray());
        var topic = NodeId.Hash(Encoding.UTF8.GetBytes($"inline topic {Guid.NewGuid()}"));
        Assert.True((await nodes[2].AnnounceAsync(topic, cancellationToken: Guard())).Succeeded);
        var providers = new List<ProviderRecord>();
        await foreach (var provider in nodes[5].FindProvidersAsync(topic, cancellationToken: Guard()))
        {
            providers.Add(provider);
        }

        Assert.Equal(nodes[2].Id, Assert.Single(providers).Provider.Id);
    }

    [Theory]
    [InlineData(ReceiveThreading.DedicatedThread)]
    [InlineData(ReceiveThreading.ThreadPool)]
    public async Task Disposing_a_node_fails_its_pings_in_flight_instead_of_leaving_them_waiting(ReceiveThreading threading)
    {
        // Peers that never answer: a bound socket nobody reads, pinged by address (a query), and a node that
        // has stopped, pinged by its contact (the pooled ping operation).
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var stopped = await StartAsync(inline: false);
        await stopped.DisposeAsync();
        var node = await StartAsync(inline: true, threading);
        var pings = Enumerable.Range(0, 8).Select(_ => node.PingAsync((IPEndPoint)silent.LocalEndPoint!, Guard()).AsTask())
            .Concat(Enumerable.Range(0, 8).Select(_ => node.PingAsync(stopped.Info, Guard()).AsTask()))
            .ToList();
        await node.DisposeAsync();
        foreach (var ping in pings)
        {
            await Assert.ThrowsAsync<ObjectDisposedException>(() => ping.WaitAsync(Guard()));
        }
    }

    [Fact]
    public async Task Auto_gives_dedicated_receive_threads_to_no_more_nodes_than_logical_processors()
    {
        var nodes = new List<DhtNode>();
        try
        {
            for (var i = 0; i < Environment.ProcessorCount + 2; i++)
            {
                nodes.Add(await StartAsync(inline: false));
            }

            // Other tests run nodes at the same time, so this test's nodes may get fewer, never more.
            Assert.InRange(nodes.Count(n => n.HasDedicatedReceiveThread), 0, Environment.ProcessorCount);
            Assert.Contains(nodes, n => !n.HasDedicatedReceiveThread);
            var explicitThread = await StartAsync(inline: false, ReceiveThreading.DedicatedThread);
            nodes.Add(explicitThread);
            Assert.True(explicitThread.HasDedicatedReceiveThread);
            foreach (var node in nodes.Skip(1))
            {
                Assert.True((await nodes[0].PingAsync(node.Info, Guard())).Succeeded);
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task An_undefined_receive_threading_is_refused_at_start() =>
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => StartAsync(inline: false, (ReceiveThreading)7));
}
