using System.Net;
using System.Text;
using Kademlia.Identity;
using Kademlia.Records;

namespace Kademlia.Tests;

public sealed class ApiMisuseTests
{
    private static CancellationToken Guard() => new CancellationTokenSource(LoopbackNetwork.Guard).Token;

    [Fact]
    public async Task An_operation_the_engine_refuses_fails_its_caller_and_the_node_keeps_serving()
    {
        var small = NetworkParameters.Test with { MaxValueSize = 100 };
        await using var network = await LoopbackNetwork.StartAsync(3, small);
        var node = network.Nodes[1];
        var tooLarge = ImmutableRecord.Create(new byte[200]);

        await Assert.ThrowsAsync<ArgumentException>(() => node.PutAsync(tooLarge, cancellationToken: Guard()));

        Assert.True((await node.PingAsync(network.Nodes[0].Info, Guard())).Succeeded);
        Assert.True((await network.Nodes[2].PingAsync(node.Info, Guard())).Succeeded);
    }

    [Fact]
    public async Task A_second_announcement_in_the_same_second_replaces_the_first()
    {
        await using var network = await LoopbackNetwork.StartAsync(5);
        var topic = NodeId.Hash(Encoding.UTF8.GetBytes($"tables/{Guid.NewGuid()}"));
        var host = network.Nodes[2];
        Assert.True((await host.AnnounceAsync(topic, "table 1: 3 seats"u8.ToArray(), Guard())).Succeeded);
        Assert.True((await host.AnnounceAsync(topic, "table 1: 2 seats"u8.ToArray(), Guard())).Succeeded);

        var found = new List<ProviderRecord>();
        await foreach (var provider in network.Nodes[4].FindProvidersAsync(topic, cancellationToken: Guard()))
        {
            found.Add(provider);
        }

        var only = Assert.Single(found);
        Assert.Equal("table 1: 2 seats", Encoding.UTF8.GetString(only.ApplicationData.Span));
    }
}
