using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Internal;
using Kademlia.Records;
using Kademlia.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kademlia;

/// <summary>
/// A Kademlia node on one UDP socket: the runtime around the sans-io <see cref="KademliaEngine"/>.
/// One loop owns the engine; the socket, the timer and the async API only post work to it.
/// </summary>
/// <example>
/// <code>
/// await using var node = await DhtNode.StartAsync(new DhtNodeOptions { Network = NetworkParameters.Test });
/// await node.BootstrapAsync(["&lt;key&gt;.&lt;nonce&gt;@192.0.2.1:4000"]);
/// var put = await node.PutAsync(ImmutableRecord.Create("hello"u8));
/// var got = await node.GetAsync(put.Key, RecordKind.Immutable);
/// </code>
/// </example>
public sealed class DhtNode : IAsyncDisposable
{
    /// <summary>Datagrams from addresses we never sent to that may wait in the queue at once.</summary>
    private const int MaxQueuedFromStrangers = 512;

    /// <summary>Addresses remembered as "sent to"; the set is reset past this.</summary>
    private const int MaxRememberedPeers = 65_536;

    private readonly Socket _socket;
    private readonly KademliaEngine _engine;
    private readonly NodeIdentity _identity;
    private readonly bool _ownsIdentity;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DhtMetrics _metrics;
    private readonly Channel<object> _inbox = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<QueryId, PendingQuery> _queries = [];
    private readonly List<Channel<EngineEvent>> _subscribers = [];
    private readonly int _maxQueuedDatagrams;
    private readonly ITimer _timer;
    private readonly ConcurrentDictionary<EndPoint, byte> _talkedTo = new();
    private int _queuedDatagrams;
    private int _queuedFromStrangers;
    private long _inboxDrops;
    private OverloadEpisode _knownOverload, _strangerOverload;
    private Task _loop = Task.CompletedTask;
    private Task _receiver = Task.CompletedTask;
    private DateTimeOffset _nextSnapshot;

    private DhtNode(Socket socket, KademliaEngine engine, NodeIdentity identity, bool ownsIdentity, DhtNodeOptions options)
    {
        _socket = socket;
        _engine = engine;
        _identity = identity;
        _ownsIdentity = ownsIdentity;
        _time = options.TimeProvider;
        _logger = options.LoggerFactory?.CreateLogger<DhtNode>() ?? NullLogger<DhtNode>.Instance;
        _metrics = new DhtMetrics(options.MeterFactory);
        _maxQueuedDatagrams = options.MaxQueuedDatagrams;
        _timer = _time.CreateTimer(_ => _inbox.Writer.TryWrite(Wake.Instance), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        Info = engine.LocalInfo;
    }

    /// <summary>This node's ID.</summary>
    public NodeId Id => _identity.Id;

    /// <summary>This node's contact as others reach it.</summary>
    public NodeInfo Info { get; }

    /// <summary>This node's contact string (<c>key.nonce@host:port</c>), to give to <c>--bootstrap</c>.</summary>
    public string ContactString => Kademlia.ContactString.Format(Info);

    /// <summary>The bound UDP endpoint.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Binds the socket, starts the loop and returns the running node.</summary>
    /// <exception cref="SocketException">The endpoint cannot be bound.</exception>
    public static async Task<DhtNode> StartAsync(DhtNodeOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ownsIdentity = options.Identity is null;
        var identity = options.Identity ?? await Task.Run(() => NodeIdentity.Generate(options.Network, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        var socket = new Socket(options.Bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (options.Bind.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = true;
            }

            socket.ReceiveBufferSize = 4 * 1024 * 1024;
            socket.SendBufferSize = 4 * 1024 * 1024;
            socket.Bind(options.Bind);
            var bound = (IPEndPoint)socket.LocalEndPoint!;
            var engineOptions = new EngineOptions
            {
                Network = options.Network,
                AdvertisedEndpoint = AdvertisedEndpoint(options, bound),
                Mode = options.Mode,
                KeepaliveInterval = options.KeepaliveInterval,
                Quorum = options.Quorum,
                RequestsPerSecondPerSource = options.RequestsPerSecondPerSource,
                RequestBurstPerSource = 2 * options.RequestsPerSecondPerSource,
            };
            var engine = new KademliaEngine(identity, engineOptions, options.Store);
            var node = new DhtNode(socket, engine, identity, ownsIdentity, options);
            node.Start();
            return node;
        }
        catch
        {
            socket.Dispose();
            if (ownsIdentity)
            {
                identity.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Joins the network through <paramref name="seeds"/>: contact strings (<c>key.nonce@host:port</c>)
    /// or addresses (<c>host:port</c>, host names resolved here).
    /// </summary>
    /// <exception cref="FormatException">A seed is not a contact string or address.</exception>
    public async Task<BootstrapResult> BootstrapAsync(IEnumerable<string> seeds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        var contacts = new List<NodeInfo>();
        var addresses = new List<EndPoint>();
        foreach (var seed in seeds)
        {
            if (Kademlia.ContactString.TryParse(seed, out var node, out var address))
            {
                if (node is { } n)
                {
                    contacts.Add(n);
                }
                else
                {
                    addresses.Add(address!);
                }
            }
            else if (Kademlia.ContactString.TryParseHost(seed, out var host, out var port))
            {
                var resolved = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
                addresses.Add(new IPEndPoint(resolved.First(), port));
            }
            else
            {
                throw new FormatException($"'{seed}' is neither a contact string (key.nonce@host:port) nor host:port.");
            }
        }

        return await BootstrapAsync(contacts, addresses, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Joins the network through known contacts and bare addresses.</summary>
    public Task<BootstrapResult> BootstrapAsync(IEnumerable<NodeInfo> seeds, IEnumerable<EndPoint>? addresses = null, CancellationToken cancellationToken = default)
    {
        var contacts = seeds.ToList();
        var bare = addresses?.ToList() ?? [];
        return RunAsync<BootstrapResult>("bootstrap", (engine, now) => engine.Bootstrap(now, contacts, bare), cancellationToken);
    }

    /// <summary>Pings a known contact.</summary>
    public Task<PingResult> PingAsync(NodeInfo peer, CancellationToken cancellationToken = default) =>
        RunAsync<PingResult>("ping", (engine, now) => engine.Ping(now, peer), cancellationToken);

    /// <summary>Pings a node known only by address.</summary>
    public Task<PingResult> PingAsync(IPEndPoint address, CancellationToken cancellationToken = default) =>
        RunAsync<PingResult>("ping", (engine, now) => engine.Ping(now, address), cancellationToken);

    /// <summary>Finds the k closest nodes to <paramref name="target"/>.</summary>
    public Task<FindNodeResult> FindNodeAsync(NodeId target, CancellationToken cancellationToken = default) =>
        RunAsync<FindNodeResult>("find_node", (engine, now) => engine.FindNode(now, target), cancellationToken);

    /// <summary>Stores a record on the k closest nodes (and republishes it while the node runs).</summary>
    public Task<StoreResult> PutAsync(ValueRecord record, ulong? expectedSequence = null, CancellationToken cancellationToken = default) =>
        RunAsync<StoreResult>("put", (engine, now) => engine.Put(now, record, expectedSequence), cancellationToken);

    /// <summary>Finds the value under <paramref name="key"/>.</summary>
    public Task<GetResult> GetAsync(NodeId key, RecordKind kind, CancellationToken cancellationToken = default) =>
        RunAsync<GetResult>("get", (engine, now) => engine.Get(now, key, kind), cancellationToken);

    /// <summary>Announces this node as a provider of <paramref name="topic"/>, with optional application data (≤ 128 bytes).</summary>
    public Task<StoreResult> AnnounceAsync(NodeId topic, ReadOnlyMemory<byte> applicationData = default, CancellationToken cancellationToken = default) =>
        RunAsync<StoreResult>("announce", (engine, now) => engine.Announce(now, topic, applicationData.Span), cancellationToken);

    /// <summary>Finds providers of <paramref name="topic"/>, yielding each as soon as it is found.</summary>
    public async IAsyncEnumerable<ProviderRecord> FindProvidersAsync(NodeId topic, int maxProviders = 100, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var providers = Channel.CreateUnbounded<ProviderRecord>();
        var task = RunAsync<FindProvidersResult>("find_providers", (engine, now) => engine.FindProviders(now, topic, maxProviders), cancellationToken, providers.Writer);
        _ = task.ContinueWith(t => providers.Writer.TryComplete(t.Exception), TaskScheduler.Default);
        await foreach (var provider in providers.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return provider;
        }

        await task.ConfigureAwait(false);
    }

    /// <summary>The node's events (contacts added and evicted, records stored and expired, operations finished) until cancelled.</summary>
    public async IAsyncEnumerable<EngineEvent> SubscribeAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateBounded<EngineEvent>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest });
        await PostAsync((_, _) => _subscribers.Add(channel)).ConfigureAwait(false);
        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
        finally
        {
            _inbox.Writer.TryWrite(new Command((_, _) => _subscribers.Remove(channel)));
        }
    }

    /// <summary>A snapshot of the routing table, records and traffic.</summary>
    public Task<DhtStatistics> GetStatisticsAsync() => PostAsync((engine, _) =>
    {
        var buckets = new Dictionary<int, int>();
        for (var i = 0; i < NodeId.Bits; i++)
        {
            if (engine.Routing.GetBucket(i) is { Count: > 0 } bucket)
            {
                buckets[i] = bucket.Count;
            }
        }

        var engineStats = engine.Statistics;
        var drops = new Dictionary<string, long>(engineStats.Drops);
        if (Interlocked.Read(ref _inboxDrops) is var inboxDrops and > 0)
        {
            drops["runtime.InboxFull"] = inboxDrops;
        }

        return new DhtStatistics(engineStats with { Drops = drops }, buckets, engine.Store.Statistics);
    });

    /// <summary>The contacts of the routing table (for a snapshot to disk).</summary>
    public Task<IReadOnlyList<NodeInfo>> GetContactsAsync() =>
        PostAsync<IReadOnlyList<NodeInfo>>((engine, _) => engine.Routing.Contacts.Select(c => c.ToNodeInfo()).ToList());

    /// <summary>Stops the loop, closes the socket and fails operations still running.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _inbox.Writer.TryComplete();
        _socket.Dispose();
        await _timer.DisposeAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loop, _receiver).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var pending in _queries.Values)
        {
            pending.Fail(new ObjectDisposedException(nameof(DhtNode)));
        }

        foreach (var subscriber in _subscribers)
        {
            subscriber.Writer.TryComplete();
        }

        Log.Stopped(_logger, Id.ToShortString());
        _engine.Dispose();
        _metrics.Dispose();
        if (_ownsIdentity)
        {
            _identity.Dispose();
        }

        _stopping.Dispose();
    }

    private void Start()
    {
        _loop = Task.Run(RunLoopAsync);
        _receiver = Task.Run(ReceiveLoopAsync);
        Log.Started(_logger, Id.ToString(), LocalEndPoint, _engine.Options.Network.Name);
    }

    private Task<T> RunAsync<T>(string operation, Func<KademliaEngine, DateTimeOffset, QueryId> start, CancellationToken cancellationToken, ChannelWriter<ProviderRecord>? providers = null)
        where T : QueryResult
    {
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        var completion = new TaskCompletionSource<QueryResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var activity = DhtMetrics.ActivitySource.StartActivity("kademlia." + operation);
        var pending = new PendingQuery(operation, completion, providers, activity);
        _inbox.Writer.TryWrite(new Command((engine, now) =>
        {
            // An operation the engine refuses (an oversized value, a bad signature) fails its caller,
            // never the loop that serves everyone else.
            try
            {
                pending.Id = start(engine, now);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                pending.Fail(e);
                return;
            }

            _queries[pending.Id] = pending;
        }));
        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() => _inbox.Writer.TryWrite(new Command((engine, _) =>
            {
                if (_queries.Remove(pending.Id))
                {
                    engine.Cancel(pending.Id);
                    pending.Cancel(cancellationToken);
                }
            })));
            completion.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        }

        return Await(completion.Task);

        static async Task<T> Await(Task<QueryResult> task) => (T)await task.ConfigureAwait(false);
    }

    private Task PostAsync(Action<KademliaEngine, DateTimeOffset> action) => PostAsync<bool>((engine, now) =>
    {
        action(engine, now);
        return true;
    });

    private Task<T> PostAsync<T>(Func<KademliaEngine, DateTimeOffset, T> action)
    {
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _inbox.Writer.TryWrite(new Command((engine, now) =>
        {
            try
            {
                completion.TrySetResult(action(engine, now));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                completion.TrySetException(e);
            }
        }));
        return completion.Task;
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[2048];
        EndPoint any = _socket.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        while (!_stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // ICMP errors from earlier sends surface here on some platforms; the socket still works.
                Log.ReceiveFailed(_logger, e.SocketErrorCode.ToString());
                continue;
            }

            var from = (IPEndPoint)received.RemoteEndPoint;
            if (from.Address.IsIPv4MappedToIPv6)
            {
                from = new IPEndPoint(from.Address.MapToIPv4(), from.Port);
            }

            // Two lanes: peers we have sent to recently may fill the whole queue; strangers (first
            // contacts, or a flood of junk) share a small part of it, so a flood delays an honest
            // peer's packet by at most that many and never pushes it out.
            var known = _talkedTo.ContainsKey(from);
            ref var counter = ref known ? ref _queuedDatagrams : ref _queuedFromStrangers;
            ref var overload = ref known ? ref _knownOverload : ref _strangerOverload;
            var (queued, capacity) = (Interlocked.Increment(ref counter), known ? _maxQueuedDatagrams : MaxQueuedFromStrangers);
            if (queued > capacity)
            {
                Interlocked.Decrement(ref counter);
                Interlocked.Increment(ref _inboxDrops);
                if (overload.Refused())
                {
                    Log.InboxFull(_logger, known ? "known peers" : "strangers", from);
                }

                continue;
            }

            overload.Accepted(queued, capacity);

            _inbox.Writer.TryWrite(new Datagram(from, buffer.AsSpan(0, received.ReceivedBytes).ToArray(), known));
        }
    }

    private async Task RunLoopAsync()
    {
        var reader = _inbox.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                var now = _time.GetUtcNow();
                while (reader.TryRead(out var item))
                {
                    switch (item)
                    {
                        case Datagram datagram:
                            Interlocked.Decrement(ref datagram.Known ? ref _queuedDatagrams : ref _queuedFromStrangers);
                            _engine.HandleDatagram(now, datagram.From, datagram.Bytes);
                            break;
                        case Command command:
                            command.Run(_engine, now);
                            break;
                        default:
                            _engine.HandleTimeout(now);
                            break;
                    }

                    Flush();
                    now = _time.GetUtcNow();
                }

                Rearm(now);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.LoopFailed(_logger, e);
            foreach (var pending in _queries.Values)
            {
                pending.Fail(e);
            }

            _queries.Clear();
        }
    }

    private void Rearm(DateTimeOffset now)
    {
        for (var rounds = 0; rounds < 8 && _engine.NextTimeout() is { } due && due <= now; rounds++)
        {
            _engine.HandleTimeout(now);
            Flush();
        }

        if (now >= _nextSnapshot)
        {
            _nextSnapshot = now + TimeSpan.FromSeconds(1);
            var stats = _engine.Store.Statistics;
            _metrics.Update(_engine.Statistics, stats.Values + stats.Providers);
        }

        var next = _engine.NextTimeout();
        var delay = next is { } at ? at - now : Timeout.InfiniteTimeSpan;
        if (next is not null && delay < TimeSpan.FromMilliseconds(1))
        {
            delay = TimeSpan.FromMilliseconds(1);
        }

        _timer.Change(delay, Timeout.InfiniteTimeSpan);
    }

    private void Flush()
    {
        while (_engine.PollTransmit(out var transmit))
        {
            try
            {
                _socket.SendTo(transmit.Packet, SocketFlags.None, transmit.Destination);
                if (_talkedTo.Count > MaxRememberedPeers)
                {
                    _talkedTo.Clear();
                }

                _talkedTo.TryAdd(transmit.Destination, 0);
            }
            catch (SocketException e)
            {
                Log.SendFailed(_logger, transmit.Destination, e.SocketErrorCode.ToString());
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }

        while (_engine.PollEvent(out var engineEvent))
        {
            Dispatch(engineEvent!);
        }
    }

    private void Dispatch(EngineEvent engineEvent)
    {
        switch (engineEvent)
        {
            case QueryFinished finished when _queries.Remove(finished.Query, out var pending):
                Log.QueryFinished(_logger, pending.Operation, finished.Query.ToString(), finished.Result.Succeeded, finished.Result.Hops, finished.Result.MessagesSent, finished.Result.Duration.TotalMilliseconds);
                _metrics.QueryFinished(pending.Operation, finished.Result);
                pending.Complete(finished.Result);
                break;
            case ProviderFound found when _queries.TryGetValue(found.Query, out var pending):
                pending.Providers?.TryWrite(found.Provider);
                break;
            case ContactAdded added:
                Log.ContactAdded(_logger, added.Contact.ToString());
                break;
            case ContactEvicted evicted:
                Log.ContactEvicted(_logger, evicted.Contact.ToString());
                break;
            case RecordStored stored:
                Log.RecordStored(_logger, stored.Key.ToShortString(), stored.Source.ToShortString());
                break;
            case RecordsExpired expired:
                Log.RecordsExpired(_logger, expired.Keys.Count);
                break;
            case ExternalAddressChanged address:
                Log.ExternalAddressChanged(_logger, address.Endpoint.ToString());
                break;
            case ReachabilityChanged reachability:
                Log.ReachabilityChanged(_logger, reachability.Reachability.ToString(), reachability.IsClient ? "client" : "server");
                break;
            case Rebootstrapping rebootstrapping:
                Log.Rebootstrapping(_logger, rebootstrapping.TableSize);
                break;
        }

        foreach (var subscriber in _subscribers)
        {
            subscriber.Writer.TryWrite(engineEvent);
        }
    }

    private sealed record Datagram(IPEndPoint From, byte[] Bytes, bool Known);

    private sealed record Command(Action<KademliaEngine, DateTimeOffset> Run);

    private sealed class Wake
    {
        public static readonly Wake Instance = new();
    }

    private sealed class PendingQuery(string operation, TaskCompletionSource<QueryResult> completion, ChannelWriter<ProviderRecord>? providers, Activity? activity)
    {
        public string Operation { get; } = operation;

        public QueryId Id { get; set; }

        public ChannelWriter<ProviderRecord>? Providers { get; } = providers;

        public void Complete(QueryResult result)
        {
            if (activity is not null)
            {
                activity.SetTag("kademlia.succeeded", result.Succeeded);
                activity.SetTag("kademlia.hops", result.Hops);
                activity.SetTag("kademlia.messages", result.MessagesSent);
                activity.Dispose();
            }

            Providers?.TryComplete();
            completion.TrySetResult(result);
        }

        public void Cancel(CancellationToken token)
        {
            activity?.Dispose();
            Providers?.TryComplete();
            completion.TrySetCanceled(token);
        }

        public void Fail(Exception exception)
        {
            activity?.Dispose();
            Providers?.TryComplete(exception);
            completion.TrySetException(exception);
        }
    }

    /// <summary>
    /// What the node advertises in its provider records: the configured endpoint, else the bound one when
    /// it is a specific reachable address. A wildcard bind, or loopback on a network where loopback is not
    /// a test address, advertises nothing until peers agree on the endpoint they observe.
    /// </summary>
    private static NodeEndpoint AdvertisedEndpoint(DhtNodeOptions options, IPEndPoint bound)
    {
        if (options.AdvertisedEndPoint is { } configured)
        {
            return NodeEndpoint.FromIPEndPoint(configured);
        }

        var wildcard = bound.Address.Equals(IPAddress.Any) || bound.Address.Equals(IPAddress.IPv6Any);
        var testLoopback = options.Network.ExemptLoopbackFromDiversityLimits;
        if (wildcard)
        {
            return testLoopback ? NodeEndpoint.FromIPEndPoint(new IPEndPoint(IPAddress.Loopback, bound.Port)) : default;
        }

        return IPAddress.IsLoopback(bound.Address) && !testLoopback ? default : NodeEndpoint.FromIPEndPoint(bound);
    }
}