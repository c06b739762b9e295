using System.Net;
using System.Text;
using Kademlia.Engine;
using Kademlia.Identity;

namespace Kademlia.Tests;

/// <summary>
/// <see cref="DhtNode.ConnectAsync(NodeInfo, string, System.Collections.Immutable.ImmutableArray{Wire.WireContact}, CancellationToken)"/>
/// on loopback UDP, where every node is reachable: the channel is direct and carries both kinds of message.
/// Punched and relayed channels are tested in the emulator (Kademlia.Simulation.Tests, HolePunchTests).
/// </summary>
public sealed class PeerChannelTests : IAsyncLifetime
{
    private DhtNode _a = null!;
    private DhtNode _b = null!;

    public async Task InitializeAsync()
    {
        _a = await StartAsync();
        _b = await StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    private static CancellationToken Guard() => new CancellationTokenSource(LoopbackNetwork.Guard).Token;

    private static Task<DhtNode> StartAsync() => DhtNode.StartAsync(new DhtNodeOptions
    {
        Network = NetworkParameters.Test,
        Bind = new IPEndPoint(IPAddress.Loopback, 0),
    });

    [Fact]
    public async Task A_channel_to_a_reachable_node_is_direct_and_carries_requests_and_datagrams_both_ways()
    {
        using var stop = new CancellationTokenSource(LoopbackNetwork.Guard);
        var host = Task.Run(async () =>
        {
            var seen = new List<string>();
            await foreach (var message in _b.ReceiveAsync("game/1", stop.Token))
            {
                seen.Add(Encoding.ASCII.GetString(message.Payload.Span));
                if (message.IsRequest)
                {
                    await message.ReplyAsync(Encoding.ASCII.GetBytes("ack " + seen[^1]), stop.Token);
                    return seen;
                }
            }

            return seen;
        });
        await _b.GetStatisticsAsync(Guard()); // the receiver is registered before anything is sent

        var channel = await _a.ConnectAsync(_b.Info, "game/1", cancellationToken: Guard());
        Assert.Equal(PeerPath.Direct, channel.Path);
        Assert.Equal(DhtNode.MaxAppPayload, channel.MaxPayload);

        await channel.SendAsync("move e2e4"u8.ToArray(), Guard());
        var answer = await channel.RequestAsync("your turn"u8.ToArray(), TimeSpan.FromSeconds(5), retries: 2, Guard());

        Assert.Equal("ack your turn", Encoding.ASCII.GetString(answer.Span));
        Assert.Equal(["move e2e4", "your turn"], await host);
        Assert.Equal(PeerPath.Direct, await channel.GetPathAsync(Guard()));
    }

    [Fact]
    public async Task Connecting_to_a_node_that_is_not_there_fails_with_a_timeout()
    {
        var gone = _b.Info;
        await _b.DisposeAsync();
        _b = await StartAsync();

        await Assert.ThrowsAsync<TimeoutException>(() => _a.ConnectAsync(gone, "game/1", cancellationToken: Guard()));
    }
}
