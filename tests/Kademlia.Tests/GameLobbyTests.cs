using System.Net;
using GameLobby;
using Kademlia.Engine;
using Kademlia.Identity;

namespace Kademlia.Tests;

/// <summary>
/// The GameLobby example's scripted game (issue 15, item 5) between two players behind NAT filtering on
/// loopback (<see cref="LoopbackNatFilter"/>), with real UDP: the host announces its table with its
/// rendezvous points, the joiner finds it through the DHT, connects, and they play it out over the channel.
/// </summary>
public sealed class GameLobbyTests
{
    private static readonly int[] Moves = [4, 0, 2, 1, 6];

    [Theory]
    [InlineData(false, PeerPath.Direct)]
    [InlineData(true, PeerPath.Relayed)]
    public async Task Two_NATed_players_find_a_table_connect_and_finish_a_game_with_the_same_table(bool punchingBlocked, PeerPath expected)
    {
        using var guard = new CancellationTokenSource(LoopbackNetwork.Guard);
        var token = guard.Token;
        await using var network = await LoopbackNetwork.StartAsync(6);
        var (hostFilter, joinerFilter) = (new LoopbackNatFilter(), new LoopbackNatFilter());
        await using var hostNode = await StartPlayerAsync(hostFilter, network, token);
        await using var joinerNode = await StartPlayerAsync(joinerFilter, network, token);
        if (punchingBlocked)
        {
            // Two NATs that map per destination, say: whatever the players send each other straight is lost.
            hostFilter.Block(joinerNode.LocalEndpoint);
            joinerFilter.Block(hostNode.LocalEndpoint);
        }

        // The filtering works: a node the host never sent to cannot reach it.
        await using (var stranger = await DhtNode.StartAsync(new DhtNodeOptions { Network = NetworkParameters.Test, Bind = new IPEndPoint(IPAddress.Loopback, 0) }, token))
        {
            Assert.False((await stranger.PingAsync(hostNode.Info, token)).Succeeded);
            Assert.True(hostFilter.Dropped > 0);
        }

        await using var host = TablePlayer.Host(hostNode, "Alice");
        var announced = await Lobby.AnnounceAsync(hostNode, "Alice's table", token);
        Assert.True(announced.Succeeded);

        var table = await FindAsync(joinerNode, hostNode.Id, token);
        Assert.False(table.Provider.Rendezvous.IsEmpty);
        await using var guest = await TablePlayer.JoinAsync(joinerNode, "Carol", table, token);

        Assert.NotNull(guest);
        Assert.Equal(expected, guest.Opponent!.Path);
        await host.Seated.WaitAsync(token);
        await ScriptedGame.PlayAsync(host, guest, Moves, _ => { }, token);

        Assert.Equal("won by Alice", host.State.Status);
        Assert.Equal(host.State, guest.State);
        Assert.Equal("OOX.X.X..", guest.State.Board);
    }

    private static Task<DhtNode> StartPlayerAsync(LoopbackNatFilter filter, LoopbackNetwork network, CancellationToken token) =>
        StartJoinedAsync(new DhtNodeOptions
        {
            Network = NetworkParameters.Test,
            Bind = new IPEndPoint(IPAddress.Loopback, 0),
            Mode = NodeMode.Client, // as a node behind a NAT runs
            DatagramFilter = filter,
        }, network, token);

    private static async Task<DhtNode> StartJoinedAsync(DhtNodeOptions options, LoopbackNetwork network, CancellationToken token)
    {
        var node = await DhtNode.StartAsync(options, token);
        Assert.True((await node.BootstrapAsync([network.Nodes[0].ContactString], token)).Succeeded);
        return node;
    }

    /// <summary>Lists the lobby until the table of <paramref name="host"/> is found (an announcement is found as soon as it is stored, but a lookup may race it).</summary>
    private static async Task<TableListing> FindAsync(DhtNode node, NodeId host, CancellationToken token)
    {
        while (true)
        {
            await foreach (var listing in Lobby.ListAsync(node, token))
            {
                if (listing.Provider.Provider.Id == host)
                {
                    return listing;
                }
            }

            await Task.Delay(100, token);
        }
    }
}
