using System.Net;
using Kademlia.Mainline;

namespace Kademlia.Tests.Mainline;

/// <summary>Mainline nodes on 127.0.0.1 at ports the system picks; nothing leaves loopback.</summary>
internal sealed class MainlineLoopback : IAsyncDisposable
{
    public List<MainlineDhtNode> Nodes { get; } = [];

    public static MainlineDhtNodeOptions Options(bool readOnly = false) => new()
    {
        Bind = new IPEndPoint(IPAddress.Loopback, 0),
        // 250 ms shortest timeout as NetworkParameters.Test: a loaded test machine stalls longer than loopback's RTT.
        Engine = new MainlineEngineOptions { ExemptLoopbackFromDiversityLimits = true, ReadOnly = readOnly, MinRequestTimeout = TimeSpan.FromMilliseconds(250) },
    };

    /// <summary>Starts <paramref name="count"/> nodes; each after the first bootstraps from the first, then from a second node so every table fills.</summary>
    public static async Task<MainlineLoopback> StartAsync(int count, CancellationToken cancellationToken)
    {
        var network = new MainlineLoopback();
        for (var i = 0; i < count; i++)
        {
            var node = await MainlineDhtNode.StartAsync(Options(), cancellationToken);
            network.Nodes.Add(node);
            if (i > 0)
            {
                await node.BootstrapAsync([network.Nodes[0].LocalEndpoint], cancellationToken);
            }
        }

        // The first nodes joined a small network; one more lookup of their own ID each lets them learn the rest.
        foreach (var node in network.Nodes)
        {
            await node.FindNodeAsync(node.Id, cancellationToken);
        }

        return network;
    }

    public async Task<MainlineDhtNode> AddAsync(MainlineDhtNodeOptions options, CancellationToken cancellationToken)
    {
        var node = await MainlineDhtNode.StartAsync(options, cancellationToken);
        Nodes.Add(node);
        await node.BootstrapAsync([Nodes[0].LocalEndpoint], cancellationToken);
        return node;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
    }
}
