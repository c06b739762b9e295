using System.Net;
using System.Text;
using Kademlia.Engine;
using Kademlia.Identity;

namespace Kademlia.Tests;

/// <summary>
/// A <see cref="PeerChannel"/> follows its path on a real node (issue 15, item 4): two client nodes behind NAT
/// filtering on loopback (<see cref="LoopbackNatFilter"/>) start relayed, and when their filters later let a
/// punch through, the channel moves to a direct path by itself and says so. The path logic itself is tested in
/// the engine emulator (Kademlia.Simulation.Tests, KeptPathTests).
/// </summary>
public sealed class KeptChannelTests
{
    [Fact]
    public async Task A_relayed_channel_goes_direct_by_itself_once_a_punch_can_get_through_and_raises_PathChanged()
    {
        using var guard = new CancellationTokenSource(LoopbackNetwork.Guard);
        var token = guard.Token;
        await using var network = await LoopbackNetwork.StartAsync(6);
        var (aFilter, bFilter) = (new LoopbackNatFilter(), new LoopbackNatFilter());
        await using var a = await StartClientAsync(aFilter, network, token);
        await using var b = await StartClientAsync(bFilter, network, token);
        aFilter.Block(b.LocalEndpoint);
        bFilter.Block(a.LocalEndpoint);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        var answering = AnswerAsync(b, stop.Token);
        await b.GetStatisticsAsync(token); // the receiver is registered before anything is sent

        var topic = NodeId.Hash("kept-channel-test"u8);
        Assert.True((await b.AnnounceAsync(topic, cancellationToken: token)).Succeeded);
        var provider = await a.FindProvidersAsync(topic, cancellationToken: token).FirstAsync(p => p.Provider.Id == b.Id, token);
        Assert.NotEmpty(provider.Rendezvous);
        await using var channel = await a.ConnectAsync(provider, "game/1", token);
        Assert.Equal(PeerPath.Relayed, channel.Path);
        var changed = new TaskCompletionSource<PeerPath>(TaskCreationOptions.RunContinuationsAsynchronously);
        channel.PathChanged += (_, path) => changed.TrySetResult(path);
        Assert.Equal("ack 1", Encoding.ASCII.GetString((await channel.RequestAsync("1"u8.ToArray(), TimeSpan.FromSeconds(2), 3, token)).Span));

        aFilter.Unblock(b.LocalEndpoint);
        bFilter.Unblock(a.LocalEndpoint);

        Assert.Equal(PeerPath.Direct, await changed.Task.WaitAsync(token));
        Assert.Equal(PeerPath.Direct, channel.Path);
        Assert.Equal("ack 2", Encoding.ASCII.GetString((await channel.RequestAsync("2"u8.ToArray(), TimeSpan.FromSeconds(2), 3, token)).Span));
        Assert.True((await a.GetStatisticsAsync(token)).Engine.KeptPathUpgrades >= 1);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => answering);
    }

    private static async Task AnswerAsync(DhtNode node, CancellationToken token)
    {
        await foreach (var message in node.ReceiveAsync("game/1", token))
        {
            if (message.IsRequest)
            {
                await message.ReplyAsync(Encoding.ASCII.GetBytes("ack " + Encoding.ASCII.GetString(message.Payload.Span)), token);
            }
        }
    }

    private static async Task<DhtNode> StartClientAsync(LoopbackNatFilter filter, LoopbackNetwork network, CancellationToken token)
    {
        var node = await DhtNode.StartAsync(new DhtNodeOptions
        {
            Network = NetworkParameters.Test,
            Bind = new IPEndPoint(IPAddress.Loopback, 0),
            Mode = NodeMode.Client,
            DatagramFilter = filter,
        }, token);
        Assert.True((await node.BootstrapAsync([network.Nodes[0].ContactString], token)).Succeeded);
        return node;
    }
}
