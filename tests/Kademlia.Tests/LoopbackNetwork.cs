using System.Net;
using Kademlia.Identity;

namespace Kademlia.Tests;

/// <summary>Nodes on 127.0.0.1 with real UDP sockets, bootstrapped from the first one.</summary>
public sealed class LoopbackNetwork : IAsyncDisposable
{
    /// <summary>A guard against a hung test, never an assertion about speed.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private LoopbackNetwork(List<DhtNode> nodes) => Nodes = nodes;

    public List<DhtNode> Nodes { get; }

    /// <summary>Starts <paramref name="count"/> nodes, each with options <paramref name="configure"/> may change, and joins them.</summary>
    public static async Task<LoopbackNetwork> StartAsync(int count, NetworkParameters? network = null, Action<DhtNodeOptions>? configure = null)
    {
        var parameters = network ?? NetworkParameters.Test;
        var nodes = new List<DhtNode>();
        for (var i = 0; i < count; i++)
        {
            var options = new DhtNodeOptions { Network = parameters, Bind = new IPEndPoint(IPAddress.Loopback, 0) };
            configure?.Invoke(options);
            nodes.Add(await DhtNode.StartAsync(options));
        }

        using var guard = new CancellationTokenSource(Guard);
        var seed = nodes[0].ContactString;
        // Join one after another, as a network grows; each joiner finds the earlier ones.
        foreach (var node in nodes.Skip(1))
        {
            var result = await node.BootstrapAsync([seed], guard.Token);
            Assert.True(result.Succeeded, $"bootstrap of {node.Id.ToShortString()} failed");
        }

        // A refresh round once everyone is in, as the periodic bucket refresh would do.
        await Task.WhenAll(nodes.Select(n => n.FindNodeAsync(n.Id, guard.Token)));
        return new LoopbackNetwork(nodes);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
    }
}
