using Kademlia.Dashboard.Internal;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Records;

namespace Kademlia.Dashboard;

/// <summary>
/// The live view of one running <see cref="DhtNode"/>: its 256 buckets and their contacts, its learned
/// address and reachability, its lookups as they happen, the records and provider topics it holds and
/// its traffic over the last five minutes. Serve it with <see cref="DashboardServer.StartAsync(NodeDashboard, DashboardServerOptions, CancellationToken)"/>.
/// </summary>
/// <remarks>
/// It samples the node's counters once per <see cref="NodeDashboardOptions.Interval"/> whether or not a
/// page is open (so the charts have a history), and listens to its lookup steps, which the engine
/// reports only while a dashboard or another subscriber asks for them.
/// </remarks>
public sealed class NodeDashboard : IDashboardFeed, IAsyncDisposable
{
    private readonly DhtNode _node;
    private readonly NodeDashboardOptions _options;
    private readonly DateTimeOffset _startedAt;
    private readonly TrafficHistory _traffic = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private readonly Task _relaying;

    /// <summary>Starts watching <paramref name="node"/> (borrowed: dispose the dashboard before the node).</summary>
    public NodeDashboard(DhtNode node, NodeDashboardOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        _node = node;
        _options = options ?? new NodeDashboardOptions();
        _startedAt = _options.StartedAt ?? _options.TimeProvider.GetUtcNow();
        _sampling = Task.Run(SampleAsync);
        _relaying = Task.Run(() => LookupTracker.RelayAsync(_node, 0, Events, _stop.Token));
    }

    string IDashboardFeed.Page => "node.html";

    /// <inheritdoc/>
    Broadcast IDashboardFeed.Events => Events;

    private Broadcast Events { get; } = new();

    async Task<object> IDashboardFeed.SnapshotAsync(CancellationToken cancellationToken) => await SnapshotAsync(cancellationToken).ConfigureAwait(false);

    async Task<object> IDashboardFeed.LookupAsync(NodeId? target, int from, CancellationToken cancellationToken)
    {
        var id = target ?? NodeId.Random(new Random());
        var result = await _node.FindNodeAsync(id, cancellationToken).ConfigureAwait(false);
        return new DoneView("", 0, id.ToString(), "find", result.Succeeded, result.Hops, result.MessagesSent, result.Duration.TotalMilliseconds,
            [.. result.Path.Select(h => new HopView(h.Node.Id.ToString(), h.Depth, h.Node.Id.CommonPrefixLength(id), h.Rtt?.TotalMilliseconds))]);
    }

    /// <summary>Stops watching the node and closes the pages' event streams.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_sampling, _relaying).ConfigureAwait(false);
        Events.CompleteAll();
        _stop.Dispose();
    }

    internal async Task<NodeView> SnapshotAsync(CancellationToken cancellationToken)
    {
        var statistics = await _node.GetStatisticsAsync(cancellationToken).ConfigureAwait(false);
        var table = await _node.GetRoutingTableAsync(cancellationToken).ConfigureAwait(false);
        var held = await _node.GetHeldRecordsAsync(cancellationToken).ConfigureAwait(false);
        var now = _options.TimeProvider.GetUtcNow();
        var engine = statistics.Engine;
        return new NodeView(
            _node.Id.ToString(),
            _node.ContactString,
            _options.NetworkName,
            _node.LocalEndpoint.ToString(),
            (now - _startedAt).TotalSeconds,
            engine.ExternalEndpoint?.ToString(),
            engine.Reachability.ToString(),
            engine.IsClient ? "client" : "server",
            _options.K,
            engine.QueriesActive,
            [.. table.Select(c => new ContactView(c.Node.Id.ToString(), c.Node.Endpoint.ToString(), c.Bucket, c.SmoothedRtt?.TotalMilliseconds, c.ConsecutiveFailures, c.Reputation, Math.Max(0, (now - c.LastSeen).TotalSeconds)))],
            [.. held.Values.Select(v => new ValueView(v.Record.Key.ToString(), v.Record.Kind.ToString(), v.Record.Value.Length, v.Source.Id == _node.Id, Math.Max(0, (v.ExpiresAt - now).TotalSeconds)))],
            [.. held.Topics.Select(t => new TopicView(t.Topic.ToString(), t.Providers, Math.Max(0, (t.ExpiresAt - now).TotalSeconds)))],
            _traffic.View());
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(_options.Interval, _options.TimeProvider);
        try
        {
            do
            {
                _traffic.Add((await _node.GetStatisticsAsync(_stop.Token).ConfigureAwait(false)).Engine);
                if (Events.Viewers > 0)
                {
                    Events.Send("snapshot", await SnapshotAsync(_stop.Token).ConfigureAwait(false));
                }
            }
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Stopped, or the node stopped or faulted: the pages keep the last snapshot.
        }
    }
}
