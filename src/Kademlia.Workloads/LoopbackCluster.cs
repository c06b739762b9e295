using System.Diagnostics;
using System.Net;
using Kademlia.Identity;
using Kademlia.Simulation;

namespace Kademlia.Workloads;

/// <summary>
/// N <see cref="DhtNode"/>s in this process on 127.0.0.1, each on its own UDP port, joined one after
/// another through node 0 (as a network grows), then left until their routing tables stop changing.
/// </summary>
public sealed class LoopbackCluster : IAsyncDisposable
{
    /// <summary>Table sizes are compared this often while the network settles.</summary>
    private static readonly TimeSpan SettlePoll = TimeSpan.FromMilliseconds(250);

    /// <summary>Polls in a row with identical tables that count as "stopped changing".</summary>
    private const int StablePolls = 3;

    private readonly List<DhtNode> _nodes;

    private LoopbackCluster(List<DhtNode> nodes, LoopbackClusterOptions options)
    {
        _nodes = nodes;
        Options = options;
    }

    /// <summary>The nodes; node 0 is the seed the others joined through.</summary>
    public IReadOnlyList<DhtNode> Nodes => _nodes;

    /// <summary>The options the cluster was built with.</summary>
    public LoopbackClusterOptions Options { get; }

    /// <summary>From the first join to the end of the refresh round, in milliseconds.</summary>
    public double BootstrapMilliseconds { get; private set; }

    /// <summary>Each node's own bootstrap, in milliseconds.</summary>
    public Distribution JoinMilliseconds { get; private set; } = Distribution.Empty;

    /// <summary>Bootstraps that did not succeed (a failed node stays in the cluster).</summary>
    public int FailedJoins { get; private set; }

    /// <summary>From the end of the refresh round to the last change seen in any table, in milliseconds (0: none changed).</summary>
    public double SettleMilliseconds { get; private set; }

    /// <summary>Whether the tables stopped changing before <see cref="LoopbackClusterOptions.SettleTimeout"/>.</summary>
    public bool Settled { get; private set; }

    /// <summary>Starts and joins the nodes.</summary>
    /// <exception cref="System.Net.Sockets.SocketException">A port cannot be bound.</exception>
    public static async Task<LoopbackCluster> StartAsync(LoopbackClusterOptions options, IProgress<WorkloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var nodes = new List<DhtNode>(options.Nodes);
        var cluster = new LoopbackCluster(nodes, options);
        try
        {
            for (var i = 0; i < options.Nodes; i++)
            {
                var identity = SeededIdentities.Create(options.Network, options.Seed, i, cancellationToken);
                var port = options.BasePort == 0 ? 0 : options.BasePort + i;
                nodes.Add(await DhtNode.StartAsync(new DhtNodeOptions
                {
                    Network = options.Network,
                    Bind = new IPEndPoint(IPAddress.Loopback, port),
                    Identity = identity,
                    UnsafePreferInlineScheduling = options.InlineScheduling,
                }, cancellationToken).ConfigureAwait(false));
                progress?.Report(new WorkloadProgress("start", i + 1, options.Nodes));
            }

            await cluster.JoinAsync(progress, cancellationToken).ConfigureAwait(false);
            await cluster.SettleAsync(progress, cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Contacts in each node's routing table.</summary>
    public async Task<int[]> GetTableSizesAsync()
    {
        var statistics = await Task.WhenAll(_nodes.Select(n => n.GetStatisticsAsync())).ConfigureAwait(false);
        return [.. statistics.Select(s => s.Engine.RoutingTableSize)];
    }

    /// <summary>A token cancelled after <see cref="LoopbackClusterOptions.OperationTimeout"/> or with <paramref name="cancellationToken"/>.</summary>
    public CancellationTokenSource OperationGuard(CancellationToken cancellationToken)
    {
        var guard = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        guard.CancelAfter(Options.OperationTimeout);
        return guard;
    }

    /// <summary>Stops every node.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }

        _nodes.Clear();
    }

    private async Task JoinAsync(IProgress<WorkloadProgress>? progress, CancellationToken cancellationToken)
    {
        var seed = _nodes[0].ContactString;
        var joins = new List<double>();
        var total = Stopwatch.StartNew();
        for (var i = 1; i < _nodes.Count; i++)
        {
            using var guard = OperationGuard(cancellationToken);
            var started = Stopwatch.GetTimestamp();
            try
            {
                var result = await _nodes[i].BootstrapAsync([seed], guard.Token).ConfigureAwait(false);
                FailedJoins += result.Succeeded ? 0 : 1;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                FailedJoins++;
            }

            joins.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            progress?.Report(new WorkloadProgress("bootstrap", i, _nodes.Count - 1));
        }

        // The nodes that joined early learned of the later ones only when those looked them up; one
        // self-lookup each, as the periodic bucket refresh would do, lets every table see the whole
        // network.
        using (var guard = OperationGuard(cancellationToken))
        {
            await Task.WhenAll(_nodes.Select(n => n.FindNodeAsync(n.Id, guard.Token))).ConfigureAwait(false);
        }

        BootstrapMilliseconds = total.Elapsed.TotalMilliseconds;
        JoinMilliseconds = Distribution.Of(joins);
    }

    private async Task SettleAsync(IProgress<WorkloadProgress>? progress, CancellationToken cancellationToken)
    {
        var settle = Stopwatch.StartNew();
        var previous = await GetTableSizesAsync().ConfigureAwait(false);
        var stable = 0;
        var lastChange = TimeSpan.Zero;
        var polls = Math.Max(1, (int)(Options.SettleTimeout / SettlePoll));
        for (var poll = 0; poll < polls && stable < StablePolls; poll++)
        {
            await Task.Delay(SettlePoll, cancellationToken).ConfigureAwait(false);
            var sizes = await GetTableSizesAsync().ConfigureAwait(false);
            if (sizes.AsSpan().SequenceEqual(previous))
            {
                stable++;
            }
            else
            {
                stable = 0;
                lastChange = settle.Elapsed;
            }

            previous = sizes;
            progress?.Report(new WorkloadProgress("settle", stable, StablePolls));
        }

        Settled = stable >= StablePolls;
        SettleMilliseconds = lastChange.TotalMilliseconds;
    }
}
