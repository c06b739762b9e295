using System.Net;
using System.Net.Sockets;
using System.Text;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Records;

namespace Kademlia.Tests.Faults;

/// <summary>
/// Issue 11, item 6: an exception inside one operation fails that operation only; a fault of the loop
/// itself fails everyone waiting with that exception and shows in <see cref="DhtNode.Completion"/>;
/// cancellation never waits for the loop. Every wait below is a guard against a hang, not a timing claim.
/// </summary>
public sealed class FaultContainmentTests
{
    private static readonly NetworkParameters Network = NetworkParameters.Test;

    private static CancellationToken Guard() => new CancellationTokenSource(LoopbackNetwork.Guard).Token;

    private static DhtNodeOptions Options(NodeIdentity? identity = null, IRecordStore? store = null) =>
        new() { Network = Network, Bind = new IPEndPoint(IPAddress.Loopback, 0), Identity = identity, Store = store };

    private static ImmutableRecord NewRecord() => ImmutableRecord.Create(Encoding.UTF8.GetBytes($"record {Guid.NewGuid()}"));

    [Fact]
    public async Task A_store_that_throws_fails_that_put_only_and_the_node_keeps_serving()
    {
        using var identity = NodeIdentity.Generate(Network);
        var store = new FaultyStore(identity.Id);
        await using var seed = await DhtNode.StartAsync(Options());
        await using var node = await DhtNode.StartAsync(Options(identity, store));
        Assert.True((await node.BootstrapAsync([seed.ContactString], Guard())).Succeeded);

        var diskFull = new IOException("database or disk is full");
        store.FailNextPut(diskFull);
        var thrown = await Assert.ThrowsAsync<IOException>(() => node.PutAsync(NewRecord(), cancellationToken: Guard()).WaitAsync(LoopbackNetwork.Guard));
        Assert.Same(diskFull, thrown);

        var statistics = await node.GetStatisticsAsync(Guard()).WaitAsync(LoopbackNetwork.Guard);
        Assert.Equal(1, statistics.Faults.Operations);

        var record = NewRecord();
        var put = await node.PutAsync(record, cancellationToken: Guard()).WaitAsync(LoopbackNetwork.Guard);
        Assert.True(put.Succeeded);
        var got = await seed.GetAsync(record.Key, RecordKind.Immutable, Guard());
        Assert.Equal(record.Value.ToArray(), got.Record?.Value.ToArray());
    }

    [Fact]
    public async Task A_store_that_throws_while_serving_a_peer_drops_that_request_only()
    {
        using var identity = NodeIdentity.Generate(Network);
        var store = new FaultyStore(identity.Id);
        await using var server = await DhtNode.StartAsync(Options(identity, store));
        await using var client = await DhtNode.StartAsync(Options());
        Assert.True((await client.BootstrapAsync([server.ContactString], Guard())).Succeeded);

        // The client's PUT reaches the server's store, which throws inside HandleDatagram. Whether the
        // client's put then succeeds (a retransmission) or not is not the point: the server must live.
        store.FailNextPut(new IOException("database is locked"));
        await client.PutAsync(NewRecord(), cancellationToken: Guard()).WaitAsync(LoopbackNetwork.Guard);

        Assert.True((await client.PingAsync(server.Info, Guard()).AsTask().WaitAsync(LoopbackNetwork.Guard)).Succeeded);
        var record = NewRecord();
        Assert.True((await client.PutAsync(record, cancellationToken: Guard()).WaitAsync(LoopbackNetwork.Guard)).Succeeded);
        Assert.True((await server.GetAsync(record.Key, RecordKind.Immutable, Guard())).Succeeded);
        var statistics = await server.GetStatisticsAsync(Guard()).WaitAsync(LoopbackNetwork.Guard);
        Assert.Equal(1, statistics.Faults.Datagrams);
    }

    [Fact]
    public async Task A_logger_that_throws_neither_fails_operations_nor_stops_the_node()
    {
        var loggers = new ThrowingLoggerFactory();
        await using var seed = await DhtNode.StartAsync(Options());
        var options = Options();
        options.LoggerFactory = loggers;
        await using var node = await DhtNode.StartAsync(options);
        loggers.Arm();

        // Contacts added, queries finished: each is logged from the loop, and each log call throws.
        Assert.True((await node.BootstrapAsync([seed.ContactString], Guard()).WaitAsync(LoopbackNetwork.Guard)).Succeeded);
        var record = NewRecord();
        Assert.True((await node.PutAsync(record, cancellationToken: Guard()).WaitAsync(LoopbackNetwork.Guard)).Succeeded);
        Assert.True((await seed.GetAsync(record.Key, RecordKind.Immutable, Guard())).Succeeded);

        var statistics = await node.GetStatisticsAsync(Guard()).WaitAsync(LoopbackNetwork.Guard);
        Assert.InRange(statistics.Faults.Observers, 1, loggers.Thrown);
        Assert.Equal(0, statistics.Faults.Operations);
    }

    [Fact]
    public async Task A_cancelled_call_completes_while_the_loop_is_blocked()
    {
        using var identity = NodeIdentity.Generate(Network);
        var store = new FaultyStore(identity.Id);
        await using var node = await DhtNode.StartAsync(Options(identity, store));

        store.BlockPuts();
        try
        {
            using var putCancel = CancellationTokenSource.CreateLinkedTokenSource(Guard());
            var blocked = NewRecord();
            var put = node.PutAsync(blocked, cancellationToken: putCancel.Token);
            await store.PutBlocked.Task.WaitAsync(LoopbackNetwork.Guard);

            // The loop is inside the store; these wait behind it in the inbox.
            using var getCancel = CancellationTokenSource.CreateLinkedTokenSource(Guard());
            using var statisticsCancel = CancellationTokenSource.CreateLinkedTokenSource(Guard());
            var get = node.GetAsync(NewRecord().Key, RecordKind.Immutable, getCancel.Token);
            var statistics = node.GetStatisticsAsync(statisticsCancel.Token);

            await getCancel.CancelAsync();
            await statisticsCancel.CancelAsync();
            await putCancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => get.WaitAsync(LoopbackNetwork.Guard));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => statistics.WaitAsync(LoopbackNetwork.Guard));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => put.WaitAsync(LoopbackNetwork.Guard));
        }
        finally
        {
            store.ReleasePuts(); // also on failure, or disposing the node would wait on the loop forever
        }

        // The loop goes on once the store does: the put it was inside lands in the store.
        var after = await node.GetStatisticsAsync(Guard()).WaitAsync(LoopbackNetwork.Guard);
        Assert.Equal(1, after.Records.Values);
    }

    [Fact]
    public async Task A_loop_fault_fails_pending_queued_and_new_calls_with_the_original_exception()
    {
        using var identity = NodeIdentity.Generate(Network);
        var store = new FaultyStore(identity.Id);
        var clock = new FaultyClock();
        var options = Options(identity, store);
        options.TimeProvider = clock;
        await using var seed = await DhtNode.StartAsync(Options());
        await using var node = await DhtNode.StartAsync(options);
        Assert.True((await node.BootstrapAsync([seed.ContactString], Guard())).Succeeded);
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        // A subscription, and a ping to an address that never answers (the clock stands still, so it
        // never times out either): both wait on the loop.
        var events = node.SubscribeAsync(Guard()).GetAsyncEnumerator();
        var nextEvent = events.MoveNextAsync().AsTask();
        var messages = node.ReceiveAsync("chat", Guard()).GetAsyncEnumerator();
        var nextMessage = messages.MoveNextAsync().AsTask();
        var ping = node.PingAsync((IPEndPoint)silent.LocalEndPoint!, Guard()).AsTask();
        async Task DrainEvents()
        {
            if (await nextEvent)
            {
                while (await events.MoveNextAsync())
                {
                }
            }
        }

        // A put the loop is inside (the store blocks it; once through, it asks the seed and waits), and
        // calls queued behind it.
        store.BlockPuts();
        Task<StoreResult> put;
        Task<DhtStatistics> statistics;
        Task<GetResult> get;
        var failure = new ClockFailedException();
        try
        {
            put = node.PutAsync(NewRecord(), cancellationToken: Guard());
            await store.PutBlocked.Task.WaitAsync(LoopbackNetwork.Guard);
            statistics = node.GetStatisticsAsync(Guard());
            get = node.GetAsync(NewRecord().Key, RecordKind.Immutable, Guard());

            // The loop reads its clock after the put; the clock fails.
            clock.Fail(failure);
        }
        finally
        {
            store.ReleasePuts();
        }

        Assert.Same(failure, await Assert.ThrowsAsync<ClockFailedException>(() => node.Completion.WaitAsync(LoopbackNetwork.Guard)));
        Assert.Same(failure, await Assert.ThrowsAsync<ClockFailedException>(() => ping.WaitAsync(LoopbackNetwork.Guard)));
        Assert.Same(failure, await Assert.ThrowsAsync<ClockFailedException>(() => put.WaitAsync(LoopbackNetwork.Guard)));
        Assert.Same(failure, await Assert.ThrowsAsync<ClockFailedException>(() => statistics.WaitAsync(LoopbackNetwork.Guard)));
        Assert.Same(failure, await Assert.ThrowsAsync<ClockFailedException>(() => get.WaitAsync(LoopbackNetwork.Guard)));
        // Events dispatched before the fault (the put's PublishedChanged) are read first; then the subscription fails.
        Assert.Same(failure, await Assert.ThrowsAsync<ClockFailedException>(() => DrainEvents().WaitAsync(LoopbackNetwork.Guard)));
        await events.DisposeAsync();
        Assert.Same(failure, await Assert.ThrowsAsync<ClockFailedException>(() => nextMessage.WaitAsync(LoopbackNetwork.Guard)));
        await messages.DisposeAsync();

        // New calls fail the same way, at once.
        Assert.Same(failure, await Assert.ThrowsAsync<ClockFailedException>(() => node.FindNodeAsync(identity.Id, Guard())));
        Assert.Same(failure, await Assert.ThrowsAsync<ClockFailedException>(() => node.GetStatisticsAsync(Guard())));
        Assert.Same(failure, await Assert.ThrowsAsync<ClockFailedException>(() => node.SendAsync(seed.Info, "chat", "x"u8.ToArray(), Guard()).AsTask()));
        Assert.Same(failure, await Assert.ThrowsAsync<ClockFailedException>(() => node.RequestAsync(seed.Info, "chat", "x"u8.ToArray(), TimeSpan.FromSeconds(1), 0, Guard())));
    }

    private sealed class ClockFailedException() : Exception("the clock failed");
}
