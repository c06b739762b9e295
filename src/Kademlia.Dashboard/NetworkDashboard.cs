using Kademlia.Dashboard.Internal;
using Kademlia.Identity;

namespace Kademlia.Dashboard;

/// <summary>
/// The live view of a local network of nodes (<c>kad demo</c>): every node on a ring by ID, the lookups
/// they run drawn hop by hop, the nodes holding the record the story is about lit up, stopped nodes dark,
/// and the story itself. Serve it with <see cref="DashboardServer.StartAsync(NetworkDashboard, DashboardServerOptions, CancellationToken)"/>.
/// </summary>
public sealed class NetworkDashboard : IDashboardFeed, IAsyncDisposable
{
    private readonly List<Member> _members;
    private readonly List<NarrationView> _story = [];
    private readonly int _k;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _startedAt;
    private readonly TimeSpan _interval;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _broadcasting;
    private string? _featuredKey;

    /// <summary>Starts watching <paramref name="nodes"/> (borrowed: call <see cref="MarkStopped"/> before disposing one).</summary>
    /// <param name="nodes">The network, in the order the page numbers them.</param>
    /// <param name="k">k of the network: how many closest nodes hold a record.</param>
    /// <param name="interval">How often pages get a fresh snapshot. Defaults to 1 second.</param>
    /// <param name="timeProvider">The clock. Defaults to <see cref="TimeProvider.System"/>.</param>
    public NetworkDashboard(IEnumerable<DhtNode> nodes, int k = NetworkParameters.KValue, TimeSpan? interval = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        _members = [.. nodes.Select((node, i) => new Member(node, i))];
        _k = k;
        _time = timeProvider ?? TimeProvider.System;
        _startedAt = _time.GetUtcNow();
        _interval = interval ?? TimeSpan.FromSeconds(1);
        foreach (var member in _members)
        {
            member.Relaying = Task.Run(() => LookupTracker.RelayAsync(member.Node, member.Index, Events, _stop.Token));
        }

        _broadcasting = Task.Run(BroadcastAsync);
    }

    string IDashboardFeed.Page => "network.html";

    Broadcast IDashboardFeed.Events => Events;

    /// <summary>Pages connected now.</summary>
    public int Viewers => Events.Viewers;

    private Broadcast Events { get; } = new();

    /// <summary>Completes when the first page connects.</summary>
    public Task WaitForViewerAsync(CancellationToken cancellationToken = default) => Events.FirstViewer.WaitAsync(cancellationToken);

    /// <summary>
    /// Adds a line to the story the page tells. With <paramref name="key"/>, the page lights up the nodes
    /// that hold that record or topic from now on.
    /// </summary>
    /// <param name="text">What happened, for people.</param>
    /// <param name="key">The record key or topic the line is about, if any.</param>
    /// <param name="succeeded">Whether it worked, when it is an operation.</param>
    public void Narrate(string text, NodeId? key = null, bool? succeeded = null)
    {
        var line = new NarrationView((_time.GetUtcNow() - _startedAt).TotalSeconds, text, key?.ToString(), succeeded);
        lock (_story)
        {
            _story.Add(line);
            if (key is not null)
            {
                _featuredKey = key.ToString();
            }
        }

        Events.Send("story", line);
    }

    /// <summary>Marks <paramref name="node"/> as stopped (drawn dark, no longer read); call it before disposing the node.</summary>
    public void MarkStopped(DhtNode node)
    {
        foreach (var member in _members.Where(m => m.Node == node))
        {
            member.Alive = false;
        }
    }

    /// <summary>Stops watching and closes the pages' event streams.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_members.Select(m => m.Relaying).Append(_broadcasting)).ConfigureAwait(false);
        Events.CompleteAll();
        _stop.Dispose();
    }

    async Task<object> IDashboardFeed.SnapshotAsync(CancellationToken cancellationToken) => await SnapshotAsync(cancellationToken).ConfigureAwait(false);

    async Task<object> IDashboardFeed.LookupAsync(NodeId? target, int from, CancellationToken cancellationToken)
    {
        var member = _members.ElementAtOrDefault(from) is { Alive: true } m ? m : _members.First(m => m.Alive);
        var id = target ?? NodeId.Random(new Random());
        var result = await member.Node.FindNodeAsync(id, cancellationToken).ConfigureAwait(false);
        return new DoneView("", member.Index, id.ToString(), "find", result.Succeeded, result.Hops, result.MessagesSent, result.Duration.TotalMilliseconds,
            [.. result.Path.Select(h => new HopView(h.Node.Id.ToString(), h.Depth, h.Node.Id.CommonPrefixLength(id), h.Rtt?.TotalMilliseconds))]);
    }

    internal async Task<NetworkView> SnapshotAsync(CancellationToken cancellationToken)
    {
        var nodes = new List<NetworkNodeView>(_members.Count);
        foreach (var member in _members)
        {
            if (member.Alive)
            {
                try
                {
                    var statistics = await member.Node.GetStatisticsAsync(cancellationToken).ConfigureAwait(false);
                    var held = await member.Node.GetHeldRecordsAsync(cancellationToken).ConfigureAwait(false);
                    member.Contacts = statistics.Engine.RoutingTableSize;
                    member.Holds = [.. held.Values.Select(v => v.Record.Key.ToString()).Concat(held.Topics.Select(t => t.Topic.ToString()))];
                }
                catch (ObjectDisposedException)
                {
                    member.Alive = false; // stopped without MarkStopped
                }
            }

            nodes.Add(new NetworkNodeView(member.Index, member.Node.Id.ToString(), member.Alive, member.Alive ? member.Contacts : 0, member.Alive ? member.Holds : []));
        }

        lock (_story)
        {
            return new NetworkView(_k, nodes.Count(n => n.Alive), nodes, _featuredKey, [.. _story]);
        }
    }

    private async Task BroadcastAsync()
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                if (Events.Viewers > 0)
                {
                    Events.Send("snapshot", await SnapshotAsync(_stop.Token).ConfigureAwait(false));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed class Member(DhtNode node, int index)
    {
        public DhtNode Node { get; } = node;

        public int Index { get; } = index;

        public volatile bool Alive = true;

        public int Contacts { get; set; }

        public IReadOnlyList<string> Holds { get; set; } = [];

        public Task Relaying { get; set; } = Task.CompletedTask;
    }
}
