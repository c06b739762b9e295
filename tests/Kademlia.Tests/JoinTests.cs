using System.Net;
using System.Net.Sockets;
using System.Text;
using Kademlia.Identity;
using Kademlia.Records;

namespace Kademlia.Tests;

/// <summary>Issue 11, item 7: <see cref="DhtNode.JoinAsync"/> keeps trying until a seed answers.</summary>
public sealed class JoinTests
{
    private static CancellationToken Guard() => new CancellationTokenSource(LoopbackNetwork.Guard).Token;

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    [Fact]
    public async Task Join_retries_while_the_seed_is_down_and_joins_once_it_is_up()
    {
        var port = FreeUdpPort();
        var log = new EventLog();
        await using var joiner = await DhtNode.StartAsync(new DhtNodeOptions
        {
            Network = NetworkParameters.Test,
            Bind = new IPEndPoint(IPAddress.Loopback, 0),
            LoggerFactory = log,
            JoinRetryDelay = TimeSpan.FromMilliseconds(100),
            JoinRetryMaxDelay = TimeSpan.FromSeconds(1),
        });

        var join = joiner.JoinAsync([$"127.0.0.1:{port}"], cancellationToken: Guard());
        await log.WaitForAsync(JoinRetryingEventId, count: 2);
        Assert.False(join.IsCompleted, "JoinAsync gave up while its seed was down");

        await using var seed = await DhtNode.StartAsync(new DhtNodeOptions { Network = NetworkParameters.Test, Bind = new IPEndPoint(IPAddress.Loopback, port) });
        var joined = await join.WaitAsync(LoopbackNetwork.Guard);
        Assert.True(joined.TableSize >= 1);

        var record = ImmutableRecord.Create(Encoding.UTF8.GetBytes($"joined late {Guid.NewGuid()}"));
        Assert.True((await joiner.PutAsync(record, cancellationToken: Guard())).Succeeded);
        var got = await seed.GetAsync(record.Key, RecordKind.Immutable, Guard());
        Assert.Equal(record.Value.ToArray(), got.Record?.Value.ToArray());
    }

    [Fact]
    public async Task Join_ends_when_cancelled_while_waiting_for_a_seed()
    {
        var log = new EventLog();
        await using var joiner = await DhtNode.StartAsync(new DhtNodeOptions
        {
            Network = NetworkParameters.Test,
            Bind = new IPEndPoint(IPAddress.Loopback, 0),
            LoggerFactory = log,
            JoinRetryDelay = TimeSpan.FromMilliseconds(100),
            JoinRetryMaxDelay = TimeSpan.FromSeconds(1),
        });
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Guard());
        var join = joiner.JoinAsync([$"127.0.0.1:{FreeUdpPort()}"], cancellationToken: cancel.Token);
        await log.WaitForAsync(JoinRetryingEventId, count: 1);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => join.WaitAsync(LoopbackNetwork.Guard));
        Assert.True((await joiner.GetStatisticsAsync(Guard())).Faults.Total == 0);
    }

    /// <summary>The stable ID of <c>Log.JoinRetrying</c>.</summary>
    private const int JoinRetryingEventId = 15;
}
