using System.Net;
using Kademlia;
using Kademlia.Engine;
using Kademlia.Identity;

namespace GameLobby;

/// <summary>How a player's node joins a real network: the <c>list</c>, <c>host</c> and <c>join</c> commands' shared options.</summary>
/// <param name="Network">The network's parameters ("default" or "test").</param>
/// <param name="Bind">The local address and port to bind.</param>
/// <param name="Advertise">The endpoint to put in provider records, when the bound one is not it (a forwarded port).</param>
/// <param name="Mode">Server, client (behind a NAT: named through rendezvous points) or decided by reachability probes.</param>
/// <param name="Bootstrap">Contacts or host:port of nodes already in the network.</param>
internal sealed record LobbyNodeOptions(NetworkParameters Network, IPEndPoint Bind, IPEndPoint? Advertise, NodeMode Mode, IReadOnlyList<string> Bootstrap);

/// <summary>Starts a player's node and joins the network with it.</summary>
internal static class LobbyNode
{
    /// <summary>How long a host waits between looks at its rendezvous points.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    /// <summary>Starts a node and bootstraps it (a few tries: the seeds may still be starting), or throws.</summary>
    /// <exception cref="TimeoutException">No seed answered.</exception>
    public static async Task<DhtNode> StartAsync(LobbyNodeOptions options, Action<string> report, CancellationToken cancellationToken)
    {
        var node = await DhtNode.StartAsync(new DhtNodeOptions
        {
            Network = options.Network,
            Bind = options.Bind,
            AdvertisedEndpoint = options.Advertise,
            Mode = options.Mode,
        }, cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var joined = await node.BootstrapAsync(options.Bootstrap, cancellationToken).ConfigureAwait(false);
                if (joined.Succeeded)
                {
                    report($"node {node.Id.ToShortString()} on {node.LocalEndpoint} joined through {string.Join(", ", options.Bootstrap)}");
                    return node;
                }

                if (attempt == 3)
                {
                    throw new TimeoutException($"no bootstrap node answered ({string.Join(", ", options.Bootstrap)}).");
                }

                await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Waits until a client node has rendezvous points to name in its provider record (it keeps sessions
    /// with its closest public contacts after joining); a server has none and needs none.
    /// </summary>
    /// <returns>How many it has: 0 for a server.</returns>
    public static async Task<int> WaitForRendezvousAsync(DhtNode node, CancellationToken cancellationToken)
    {
        while (true)
        {
            var statistics = await node.GetStatisticsAsync(cancellationToken).ConfigureAwait(false);
            if (!statistics.Engine.IsClient)
            {
                return 0;
            }

            var points = await node.GetRendezvousPointsAsync(cancellationToken).ConfigureAwait(false);
            if (points.Length > 0)
            {
                return points.Length;
            }

            await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
        }
    }
}
