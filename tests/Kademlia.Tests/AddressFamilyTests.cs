using System.Net;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Records;

namespace Kademlia.Tests;

public sealed class AddressFamilyTests
{
    private static CancellationToken Guard() => new CancellationTokenSource(LoopbackNetwork.Guard).Token;

    [Theory]
    [InlineData("::1")]
    [InlineData("127.0.0.1")]
    public async Task Nodes_exchange_a_value_over_one_address_family(string loopback)
    {
        var address = IPAddress.Parse(loopback);
        var nodes = new List<DhtNode>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                nodes.Add(await DhtNode.StartAsync(new DhtNodeOptions { Network = NetworkParameters.Test, Bind = new IPEndPoint(address, 0) }));
            }

            foreach (var node in nodes.Skip(1))
            {
                Assert.True((await node.BootstrapAsync([nodes[0].ContactString], Guard())).Succeeded);
            }

            var record = ImmutableRecord.Create(System.Text.Encoding.UTF8.GetBytes($"over {loopback}"));
            Assert.True((await nodes[1].PutAsync(record, cancellationToken: Guard())).Succeeded);
            var got = await nodes[3].GetAsync(record.Key, RecordKind.Immutable, Guard());
            Assert.Equal(record.Value.ToArray(), got.Record!.Value.ToArray());
            Assert.Equal(address, nodes[3].Info.Endpoint.ToIPAddress());
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData(ReceiveThreading.DedicatedThread)]
    [InlineData(ReceiveThreading.ThreadPool)]
    public async Task A_dual_stack_node_answers_an_IPv4_peer_known_only_by_address_and_reaches_it_back(ReceiveThreading threading)
    {
        await using var dual = await DhtNode.StartAsync(new DhtNodeOptions { Network = NetworkParameters.Test, Bind = new IPEndPoint(IPAddress.IPv6Any, 0), ReceiveThreading = threading });
        await using var v4 = await DhtNode.StartAsync(new DhtNodeOptions { Network = NetworkParameters.Test, Bind = new IPEndPoint(IPAddress.Loopback, 0) });
        var pong = await v4.PingAsync(new IPEndPoint(IPAddress.Loopback, dual.LocalEndpoint.Port), Guard());
        Assert.True(pong.Succeeded);
        Assert.Equal(dual.Id, pong.Peer!.Value.Id);

        // Back the other way, twice: the answers come from an IPv4-mapped address the dual-stack socket has
        // seen, and must be handled as the IPv4 peer's.
        for (var i = 0; i < 2; i++)
        {
            var back = await dual.PingAsync(v4.Info, Guard());
            Assert.True(back.Succeeded, $"ping {i} back to the IPv4 peer failed: {back.Failure}");
        }
    }

    [Fact]
    public async Task Nodes_of_another_network_on_the_same_ports_do_not_mix()
    {
        var other = NetworkParameters.Test with { Name = "parallel-universe", NetworkId = NetworkParameters.NetworkIdFromName("parallel-universe") };
        await using var a = await DhtNode.StartAsync(new DhtNodeOptions { Network = NetworkParameters.Test, Bind = new IPEndPoint(IPAddress.Loopback, 0) });
        await using var b = await DhtNode.StartAsync(new DhtNodeOptions { Network = other, Bind = new IPEndPoint(IPAddress.Loopback, 0) });
        var pong = await a.PingAsync(b.Info, Guard());
        Assert.False(pong.Succeeded);
        var stats = await b.GetStatisticsAsync();
        Assert.True(stats.Engine.Drops.GetValueOrDefault("session.WrongNetwork") > 0);
        Assert.Equal(0, stats.Engine.RoutingTableSize);
    }
}
