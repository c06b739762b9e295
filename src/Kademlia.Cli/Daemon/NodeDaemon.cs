using Kademlia.Cli.Control;
using Kademlia.Dashboard;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Sqlite;
using Kademlia.Routing;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Kademlia.Cli.Daemon;

/// <summary>
/// <c>kad node</c>: a long-running node on a data directory. Start-up order matters: the directory
/// lock first (so two daemons never share a key or a database), then the identity, the record
/// database, the list of what this node publishes and the routing snapshot, then the socket, the
/// metrics endpoint, the control endpoint and the join.
/// </summary>
/// <remarks>
/// The list of published records (<see cref="PublishedList"/>) is saved whenever the node reports a
/// <see cref="PublishedChanged"/> (saves coalesce: one runs at a time and one more follows if anything
/// changed meanwhile), on every snapshot tick in case an event was missed, and at stop: a kill -9 loses
/// at most the change being written. It is written off the node's loop, which never waits for the disk.
/// </remarks>
/// <remarks>
/// Lines on stdout are for scripts and tests, one fact each: <c>id:</c>, <c>contact:</c>,
/// <c>control:</c>, <c>dashboard:</c> (with <c>--dashboard</c>), <c>metrics:</c> (with <c>--metrics</c>), <c>data-dir:</c>, <c>published:</c>, then <c>ready:</c> once joined and <c>stopped:</c> at the end.
/// Logs go to stderr so that stdout stays machine-readable.
/// </remarks>
internal sealed partial class NodeDaemon
{
    /// <summary>
    /// Longest the first join through saved contacts alone may take before the daemon reports ready
    /// and goes on trying in the background. A dead contact costs a few ping attempts of at most the
    /// network's request timeout each; a live network answers a self-lookup in well under this.
    /// </summary>
    private static readonly TimeSpan BootstrapLimit = TimeSpan.FromMinutes(2);

    private readonly NodeDaemonOptions _options;
    private readonly TextWriter _output;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopRejoin = new();
    private readonly CancellationTokenSource _stopPublished = new();
    private readonly Channel<bool> _publishedChanged = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly SemaphoreSlim _savingPublished = new(1, 1);
    private Task _rejoin = Task.CompletedTask;
    private Task _watchPublished = Task.CompletedTask;
    private Task _savePublished = Task.CompletedTask;

    public NodeDaemon(NodeDaemonOptions options, TextWriter output, ILoggerFactory loggers)
    {
        _options = options;
        _output = output;
        _logger = loggers.CreateLogger("kad.node");
        Loggers = loggers;
    }

    private ILoggerFactory Loggers { get; }

    /// <summary>Runs until <paramref name="stop"/> (Ctrl-C, SIGTERM) and returns the exit code.</summary>
    public async Task<int> RunAsync(CancellationToken stop)
    {
        var network = _options.Network;
        using var directory = DataDirectory.Open(_options.DataDirectory);
        NetworkFile.CheckOrWrite(directory.Path, network);
        LogGeneratingIdentityIfNeeded(directory.IdentityKeyPath);
        using var identity = IdentityKeyFile.LoadOrCreate(directory.IdentityKeyPath, network, cancellationToken: stop);
        var startedAt = DateTimeOffset.UtcNow;
        using var store = SqliteRecordStore.Open(directory.RecordsPath, identity.Id, startedAt, logger: Loggers.CreateLogger("kad.records"));
        if (store.UnreadableRows > 0)
        {
            LogUnreadableRows(_logger, store.UnreadableRows, directory.RecordsPath);
        }

        // The node's own intent, not a cache: a damaged list stops the start (DataFileException, left
        // untouched) rather than be replaced by an empty one that would let everything published expire.
        var published = PublishedList.Load(directory.PublishedListPath, network);
        var saved = LoadSnapshot(directory.RoutingSnapshotPath);
        var node = await DhtNode.StartAsync(new DhtNodeOptions
        {
            Published = published,
            Network = network,
            Bind = _options.Bind,
            AdvertisedEndpoint = _options.Advertise,
            Mode = _options.Mode,
            KeepalivePeers = _options.KeepalivePeers,
            Identity = identity,
            Store = store,
            LoggerFactory = Loggers,
        }, stop).ConfigureAwait(false);
        var exitCode = ExitCodes.Success;
        MetricsEndpoint? metrics = null;
        try
        {
            metrics = _options.Metrics is { } metricsEndpoint ? MetricsEndpoint.Start(metricsEndpoint, node.Id.ToString()) : null;
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _watchPublished = WatchPublishedAsync(node);
        _savePublished = SavePublishedOnChangeAsync(node, directory.PublishedListPath);
        try
        {
            var operations = new NodeOperations(node, identity, network, startedAt);
            ControlServer control;
            try
            {
                control = ControlServer.Start(_options.ControlPort, operations, _logger);
            }
            catch (System.Net.Sockets.SocketException e)
            {
                throw new CliException(ExitCodes.BindFailed, $"cannot listen on the control port 127.0.0.1:{_options.ControlPort} (TCP): {e.Message} (another kad node? pick another --control-port, or 0)", e);
            }

            await using (control.ConfigureAwait(false))
            {
                ControlFile.Write(directory.Path, control.EndPoint, control.Token);
                var (dashboard, dashboardServer) = await StartDashboardAsync(node, control.Token, startedAt, stop).ConfigureAwait(false);
                try
                {
                    await _output.WriteLineAsync($"id: {node.Id}").ConfigureAwait(false);
                    await _output.WriteLineAsync($"contact: {node.ContactString}").ConfigureAwait(false);
                    await _output.WriteLineAsync($"control: {control.EndPoint}").ConfigureAwait(false);
                    if (dashboardServer is not null)
                    {
                        // As Jupyter does: the address with its token, for the person who started the node.
                        await _output.WriteLineAsync($"dashboard: {dashboardServer.OpenAddress}").ConfigureAwait(false);
                    }

                    if (metrics is not null)
                    {
                        await _output.WriteLineAsync($"metrics: {metrics.Address}").ConfigureAwait(false);
                    }

                    await _output.WriteLineAsync($"data-dir: {directory.Path}").ConfigureAwait(false);
                    await _output.WriteLineAsync($"published: {(await node.GetPublishedAsync(stop).ConfigureAwait(false)).Count} restored of {published.Count} saved").ConfigureAwait(false);
                    await _output.FlushAsync(stop).ConfigureAwait(false);

                    exitCode = await JoinAsync(node, saved, stop).ConfigureAwait(false);
                    if (exitCode == ExitCodes.Success)
                    {
                        await RunUntilStoppedAsync(node, directory, stop).ConfigureAwait(false);
                    }
                }
                finally
                {
                    ControlFile.Delete(directory.Path);
                    if (dashboardServer is not null)
                    {
                        await dashboardServer.DisposeAsync().ConfigureAwait(false);
                    }

                    if (dashboard is not null)
                    {
                        await dashboard.DisposeAsync().ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            // Saved before the node stops, while the table is still there to read.
            var count = await SaveSnapshotAsync(node, directory.RoutingSnapshotPath).ConfigureAwait(false);
            await _stopPublished.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(_watchPublished, _savePublished).ConfigureAwait(false);
            await SavePublishedAsync(node, directory.PublishedListPath).ConfigureAwait(false);
            _stopPublished.Dispose();
            await _stopRejoin.CancelAsync().ConfigureAwait(false);
            metrics?.Dispose();
            await node.DisposeAsync().ConfigureAwait(false);
            await _rejoin.ConfigureAwait(false);
            _stopRejoin.Dispose();
            await _output.WriteLineAsync($"stopped: saved {count} contacts").ConfigureAwait(false);
            await _output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return exitCode;
    }

    /// <summary>The dashboard of <c>--dashboard</c>, behind the control token; nulls without the option.</summary>
    private async Task<(NodeDashboard?, DashboardServer?)> StartDashboardAsync(DhtNode node, string token, DateTimeOffset startedAt, CancellationToken stop)
    {
        if (_options.Dashboard is not { } endpoint)
        {
            return (null, null);
        }

        var dashboard = new NodeDashboard(node, new NodeDashboardOptions { NetworkName = _options.Network.Name, K = _options.Network.K, StartedAt = startedAt });
        try
        {
            return (dashboard, await DashboardServer.StartAsync(dashboard, new DashboardServerOptions { EndPoint = endpoint, Token = token, LoggerFactory = Loggers }, stop).ConfigureAwait(false));
        }
        catch (IOException e)
        {
            await dashboard.DisposeAsync().ConfigureAwait(false);
            throw new CliException(ExitCodes.BindFailed, $"cannot serve the dashboard at {endpoint}: {e.Message}", e);
        }
        catch
        {
            await dashboard.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<int> JoinAsync(DhtNode node, IReadOnlyList<SavedContact> saved, CancellationToken stop)
    {
        // The saved table joins the seeds: a restarted node rejoins even when its bootstrap is gone.
        // Each saved contact is pinged by the bootstrap before it enters the table.
        var savedNodes = saved.Select(s => s.Node).Where(n => n.Id != node.Id).ToList();
        if (_options.Bootstrap.Count == 0 && savedNodes.Count == 0)
        {
            await _output.WriteLineAsync("ready: first node of its network, waiting for others to join").ConfigureAwait(false);
            await _output.FlushAsync(stop).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        BootstrapResult result;
        if (_options.Bootstrap.Count > 0)
        {
            // A seed that does not answer yet (not started, restarting, slow on a loaded machine) is
            // waited for, never a reason to exit: JoinAsync logs each failed attempt and tries again
            // with exponential backoff and jitter, resolving host names afresh each time.
            try
            {
                result = await node.JoinAsync(_options.Bootstrap, savedNodes, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                LogStopping(_logger);
                return ExitCodes.Success;
            }
        }
        else
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(stop);
            limit.CancelAfter(BootstrapLimit);
            try
            {
                result = await node.BootstrapAsync(savedNodes, [], limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                result = new BootstrapResult(0, 0) { Succeeded = false, MessagesSent = 0, Duration = BootstrapLimit };
            }

            if (result.TableSize == 0)
            {
                // Ready anyway (others may find this node), and the saved contacts are tried again
                // in the background, with the same backoff, until one answers.
                LogNoSavedContactAnswered(_logger, saved.Count);
                _rejoin = RejoinAsync(node, savedNodes);
            }
        }

        await _output.WriteLineAsync($"ready: {result.TableSize} contacts ({result.SeedsAnswered} of {_options.Bootstrap.Count + savedNodes.Count} seeds answered)").ConfigureAwait(false);
        await _output.FlushAsync(stop).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>Retries the saved contacts until one answers or the daemon stops (<see cref="_stopRejoin"/>).</summary>
    private async Task RejoinAsync(DhtNode node, List<NodeInfo> savedNodes)
    {
        try
        {
            var result = await node.JoinAsync([], savedNodes, _stopRejoin.Token).ConfigureAwait(false);
            LogRejoined(_logger, result.TableSize);
        }
        catch (OperationCanceledException) when (_stopRejoin.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (Exception) when (node.Completion.IsFaulted)
        {
            // Reported by RunUntilStoppedAsync, which watches the node.
        }
    }

    /// <summary>
    /// Saves the routing table every <see cref="NodeDaemonOptions.SnapshotInterval"/> until
    /// <paramref name="stop"/>; ends early, with the node's exception, if the node's loop fails.
    /// </summary>
    private async Task RunUntilStoppedAsync(DhtNode node, DataDirectory directory, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_options.SnapshotInterval);
        try
        {
            while (true)
            {
                var tick = timer.WaitForNextTickAsync(stop).AsTask();
                if (await Task.WhenAny(tick, node.Completion).ConfigureAwait(false) == node.Completion)
                {
                    await node.Completion.ConfigureAwait(false);
                    return;
                }

                if (!await tick.ConfigureAwait(false))
                {
                    return;
                }

                await SaveSnapshotAsync(node, directory.RoutingSnapshotPath).ConfigureAwait(false);
                _publishedChanged.Writer.TryWrite(true); // in case a PublishedChanged was dropped by a busy subscription
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            LogStopping(_logger);
        }
        catch (Exception e) when (node.Completion.IsFaulted)
        {
            throw new CliException(ExitCodes.Internal, $"the node stopped: {e.GetType().Name}: {e.Message}", e);
        }
    }

    /// <summary>Turns every <see cref="PublishedChanged"/> of the node into a request to save (coalesced in <see cref="_publishedChanged"/>).</summary>
    private async Task WatchPublishedAsync(DhtNode node)
    {
        try
        {
            await foreach (var change in node.SubscribeAsync(_stopPublished.Token).ConfigureAwait(false))
            {
                if (change is PublishedChanged)
                {
                    _publishedChanged.Writer.TryWrite(true);
                }
            }
        }
        catch (OperationCanceledException) when (_stopPublished.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (Exception) when (node.Completion.IsFaulted)
        {
            // Reported by RunUntilStoppedAsync, which watches the node.
        }
    }

    private async Task SavePublishedOnChangeAsync(DhtNode node, string path)
    {
        try
        {
            while (await _publishedChanged.Reader.WaitToReadAsync(_stopPublished.Token).ConfigureAwait(false))
            {
                _publishedChanged.Reader.TryRead(out _);
                await SavePublishedAsync(node, path).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stopPublished.IsCancellationRequested)
        {
        }
    }

    /// <summary>Saves the node's published list; a failure (a full disk) is logged and the last saved list stays.</summary>
    private async Task SavePublishedAsync(DhtNode node, string path)
    {
        await _savingPublished.WaitAsync().ConfigureAwait(false);
        try
        {
            var published = await node.GetPublishedAsync().ConfigureAwait(false);
            PublishedList.Save(path, _options.Network, published);
            LogPublishedSaved(_logger, published.Count);
        }
        catch (ObjectDisposedException)
        {
        }
        catch (Exception) when (node.Completion.IsFaulted)
        {
            // The node's loop failed: the list cannot be read, and the saved one stays.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // ArgumentException: more entries than a list holds (PublishedList.MaxEntries).
            LogPublishedNotSaved(_logger, path, e.Message);
        }
        finally
        {
            _savingPublished.Release();
        }
    }

    private IReadOnlyList<SavedContact> LoadSnapshot(string path)
    {
        try
        {
            return RoutingSnapshot.Load(path, _options.Network);
        }
        catch (DataFileException e)
        {
            // The snapshot is only a cache of the network: start without it and leave the file
            // for the operator; the next save replaces it.
            LogSnapshotUnusable(_logger, path, e.Reason.ToString());
            return [];
        }
    }

    private async Task<int> SaveSnapshotAsync(DhtNode node, string path)
    {
        IReadOnlyList<NodeInfo> contacts;
        try
        {
            contacts = await node.GetContactsAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
        catch (Exception) when (node.Completion.IsFaulted)
        {
            return 0; // the node's loop failed: the table cannot be read, and the saved one stays
        }

        // An empty table (every peer gone for a while) would erase the only way back in.
        if (contacts.Count == 0)
        {
            return 0;
        }

        var now = DateTimeOffset.UtcNow;
        RoutingSnapshot.Save(path, _options.Network, contacts.Select(c => new SavedContact(c, now)));
        LogSnapshotSaved(_logger, contacts.Count);
        return contacts.Count;
    }

    private void LogGeneratingIdentityIfNeeded(string keyPath)
    {
        if (!File.Exists(keyPath))
        {
            LogGeneratingIdentity(_logger, keyPath, _options.Network.StaticDifficulty, _options.Network.DynamicDifficulty);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Generating a new identity in {Path} (proof-of-work {Static}/{Dynamic} bits)")]
    private static partial void LogGeneratingIdentity(ILogger logger, string path, int @static, int dynamic);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{Rows} unreadable rows in {Path} were skipped and left in the file")]
    private static partial void LogUnreadableRows(ILogger logger, int rows, string path);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Routing snapshot {Path} not used ({Reason}); starting without it")]
    private static partial void LogSnapshotUnusable(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "None of {Count} saved contacts answered; ready for others to find this node, and retrying them with backoff")]
    private static partial void LogNoSavedContactAnswered(ILogger logger, int count);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "Saved {Count} contacts to the routing snapshot")]
    private static partial void LogSnapshotSaved(ILogger logger, int count);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Stopping: saving the routing table and closing the database")]
    private static partial void LogStopping(ILogger logger);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "Saved the {Count} records and announcements this node publishes")]
    private static partial void LogPublishedSaved(ILogger logger, int count);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Could not save the published list to {Path}: {Reason}; the last saved list stays")]
    private static partial void LogPublishedNotSaved(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Rejoined through the saved contacts: {TableSize} contacts")]
    private static partial void LogRejoined(ILogger logger, int tableSize);
}
