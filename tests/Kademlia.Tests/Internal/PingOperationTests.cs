using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Internal;
using Kademlia.Routing;

namespace Kademlia.Tests.Internal;

public sealed class PingOperationTests
{
    private static readonly PingResult Answered = new(null, TimeSpan.FromMilliseconds(1), default) { Succeeded = true, MessagesSent = 1, Duration = TimeSpan.FromMilliseconds(1) };

    [Fact]
    public async Task An_operation_the_loop_completed_is_reused_once_its_caller_has_the_result()
    {
        var pool = new PingOperationPool(_ => { }, inline: false);
        var first = pool.Rent();
        var task = first.Begin(default, CancellationToken.None);

        first.Complete(Answered);

        Assert.Same(Answered, await task);
        Assert.Same(first, pool.Rent());
    }

    [Fact]
    public async Task A_reused_operation_serves_its_next_caller_and_only_it()
    {
        var pool = new PingOperationPool(_ => { }, inline: false);
        var operation = pool.Rent();
        var firstTask = operation.Begin(default, CancellationToken.None);
        operation.Complete(Answered);
        await firstTask;

        var again = pool.Rent();
        var second = again.Begin(default, CancellationToken.None);
        Assert.False(second.IsCompleted);
        var failure = new InvalidOperationException("loop stopped");
        again.Fail(failure);

        Assert.Same(failure, await Assert.ThrowsAsync<InvalidOperationException>(() => second.AsTask()));
    }

    [Fact]
    public async Task A_cancelled_operation_ends_at_once_asks_the_loop_to_forget_it_and_is_never_reused()
    {
        var forgotten = new List<PingOperation>();
        var pool = new PingOperationPool(forgotten.Add, inline: false);
        var operation = pool.Rent();
        using var cancel = new CancellationTokenSource();
        var task = operation.Begin(default, cancel.Token);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task.AsTask());
        operation.Complete(Answered); // the loop's late answer loses the race

        Assert.Equal([operation], forgotten);
        Assert.NotSame(operation, pool.Rent());
    }

    [Fact]
    public async Task A_completed_operation_ignores_a_later_cancellation()
    {
        var forgotten = new List<PingOperation>();
        var pool = new PingOperationPool(forgotten.Add, inline: false);
        var operation = pool.Rent();
        using var cancel = new CancellationTokenSource();
        var task = operation.Begin(default, cancel.Token);

        operation.Complete(Answered);
        await cancel.CancelAsync();

        Assert.Same(Answered, await task);
        Assert.Empty(forgotten);
    }

    [Fact]
    public async Task Pings_in_flight_together_all_get_their_own_answer_over_loopback()
    {
        await using var network = await LoopbackNetwork.StartAsync(2);
        var (client, server) = (network.Nodes[1], network.Nodes[0]);
        using var guard = new CancellationTokenSource(LoopbackNetwork.Guard);

        for (var round = 0; round < 3; round++)
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => client.PingAsync(server.Info, guard.Token).AsTask()));
            Assert.All(results, result => Assert.Equal(server.Id, result.Peer?.Id));
        }
    }

    [Fact]
    public async Task A_cancelled_ping_to_a_silent_peer_ends_and_the_node_keeps_pinging()
    {
        await using var network = await LoopbackNetwork.StartAsync(2);
        var (client, server) = (network.Nodes[1], network.Nodes[0]);
        using var silent = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        silent.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        using var stranger = NodeIdentity.Generate(NetworkParameters.Test);
        var nowhere = NodeInfo.Of(stranger, NodeEndpoint.FromIPEndPoint((System.Net.IPEndPoint)silent.LocalEndPoint!));
        using var cancel = new CancellationTokenSource();

        var unanswered = client.PingAsync(nowhere, cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => unanswered.WaitAsync(LoopbackNetwork.Guard));
        using var guard = new CancellationTokenSource(LoopbackNetwork.Guard);
        Assert.True((await client.PingAsync(server.Info, guard.Token)).Succeeded);
    }

    [Fact]
    public async Task Disposing_the_node_fails_a_ping_in_flight()
    {
        var network = await LoopbackNetwork.StartAsync(2);
        var client = network.Nodes[1];
        using var silent = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        silent.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        using var stranger = NodeIdentity.Generate(NetworkParameters.Test);
        var nowhere = NodeInfo.Of(stranger, NodeEndpoint.FromIPEndPoint((System.Net.IPEndPoint)silent.LocalEndPoint!));

        var unanswered = client.PingAsync(nowhere).AsTask();
        await network.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => unanswered.WaitAsync(LoopbackNetwork.Guard));
    }
}
