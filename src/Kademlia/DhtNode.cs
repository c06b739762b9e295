using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Immutable;
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
using Kademlia.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kademlia;

/// <summary>
/// A Kademlia node on one UDP socket: the runtime around the sans-io <see cref="KademliaEngine"/>.
/// One lock guards the engine. The thread that receives a known peer's datagram (the node's own, or the
/// thread pool's: <see cref="DhtNodeOptions.ReceiveThreading"/>) handles it under the lock at once, and a ping
/// starts under it on the caller's thread, when the lock is free; everything else (strangers' datagrams,
/// timers, the other calls, and whatever found the lock taken) is queued for the node's loop.
/// </summary>
/// <remarks>
/// <para>
/// Faults are contained where they happen. An exception while starting an operation (a record store
/// that throws, say) fails that operation's task; one while handling a datagram drops that datagram;
/// one in a timer pass delays the next pass by a second; one in a logger or a metrics or tracing
/// listener is ignored. Each is counted in <see cref="DhtStatistics.Faults"/> and the loop goes on.
/// </para>
/// <para>
/// Only a failure of the loop's own machinery (its clock, its timer, the engine's output queues) stops
/// it. The node is then faulted: every pending and queued call fails with that exception, so does
/// every later call, and <see cref="Completion"/> carries it to the host.
/// </para>
/// <para>
/// Cancelling a call completes its task at once, on the cancelling thread, even while the loop is
/// busy; the loop forgets the operation when it gets to it.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// await using var node = await DhtNode.StartAsync(new DhtNodeOptions { Network = NetworkParameters.Test });
/// await node.JoinAsync(["&lt;key&gt;.&lt;nonce&gt;@192.0.2.1:4000"]);
/// var put = await node.PutAsync(ImmutableRecord.Create("hello"u8));
/// var got = await node.GetAsync(put.Key, RecordKind.Immutable);
///
/// // Application messages over the same encrypted sessions, on a channel of your own:
/// await foreach (var message in node.ReceiveAsync("lobby/1"))
/// {
///     if (message.IsRequest)
///     {
///         await message.ReplyAsync("seat 3"u8.ToArray());
///     }
/// }
///
/// var answer = await other.RequestAsync(node.Info, "lobby/1", "join"u8.ToArray(), TimeSpan.FromSeconds(2), retries: 2);
/// </code>
/// </example>
public sealed partial class DhtNode : IAsyncDisposable
{
    /// <summary>
    /// Largest application payload, in bytes: 1202, what one packet holds whatever the channel
    /// (<see cref="WireLimits.MaxAppPayload"/>). Split larger data yourself.
    /// </summary>
    public const int MaxAppPayload = WireLimits.MaxAppPayload;

    /// <summary>
    /// The name of the meter (and activity source) every node publishes its metrics and traces under:
    /// <c>Kademlia</c>. Listen with <c>AddMeter(DhtNode.MeterName)</c> in OpenTelemetry; README.md ("Monitoring a node")
    /// lists the instruments (packets, bytes, drops by reason, lookups and their duration, table and store sizes).
    /// </summary>
    public const string MeterName = "Kademlia";

    /// <summary>Datagrams from addresses we never sent to that may wait in the queue at once.</summary>
    private const int MaxQueuedFromStrangers = 512;

    /// <summary>Addresses remembered as "sent to" per generation; at most twice this many are remembered.</summary>
    private const int RememberedPeersPerGeneration = 32_768;

    private readonly Socket _socket;
    private readonly KademliaEngine _engine;
    private readonly NodeIdentity _identity;
    private readonly bool _ownsIdentity;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DhtMetrics _metrics;
    private readonly FaultCounters _faults = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeSpan _joinRetryDelay;
    private readonly TimeSpan _joinRetryMaxDelay;
    private readonly Lock _engineLock = new();
    private readonly bool _inline;
    private readonly InlineCompletions _completions = new();
    private readonly Action<Exception> _continuationFailed;
    private readonly Channel<object> _inbox = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<QueryId, PendingQuery> _queries = [];
    private readonly Dictionary<QueryId, PingOperation> _pings = [];
    private readonly PingOperationPool _pingPool;
    private readonly byte[] _sendBuffer = new byte[WireLimits.MaxPacketSize];
    private readonly List<Subscriber> _subscribers = [];
    private readonly AppReceivers _receivers = new();
    private readonly OpenChannels _openChannels = new();
    private readonly IDatagramFilter? _filter;
    private readonly int _appInboxCapacity;
    private readonly int _maxQueuedDatagrams;
    private readonly ITimer _timer;
    private readonly RecentDestinations _talkedTo = new(RememberedPeersPerGeneration);
    private readonly StrangerLane _strangers = new(MaxQueuedFromStrangers);
    private int _queuedDatagrams;
    private long _inboxDrops;
    private long _wrongNetworkDrops;
    private DateTimeOffset _nextWrongNetworkLog;
    private OverloadEpisode _knownOverload, _strangerOverload;
    private Task _loop = Task.CompletedTask;
    private Task _receiver = Task.CompletedTask;
    private DateTimeOffset _nextSnapshot;
    private DateTimeOffset _timersHeldUntil;
    private DateTimeOffset? _armedFor;
    private bool _closed;
    private volatile Exception? _fault;

    private DhtNode(Socket socket, KademliaEngine engine, NodeIdentity identity, bool ownsIdentity, DhtNodeOptions options)
    {
        _socket = socket;
        _engine = engine;
        _identity = identity;
        _ownsIdentity = ownsIdentity;
        _time = options.TimeProvider;
        _filter = options.DatagramFilter;
        _logger = new GuardedLogger(options.LoggerFactory?.CreateLogger<DhtNode>() ?? NullLogger<DhtNode>.Instance, _faults);
        _metrics = new DhtMetrics(options.MeterFactory);
        _maxQueuedDatagrams = options.MaxQueuedDatagrams;
        _joinRetryDelay = options.JoinRetryDelay;
        _joinRetryMaxDelay = options.JoinRetryMaxDelay;
        _appInboxCapacity = options.AppInboxCapacity;
        _inline = options.UnsafePreferInlineScheduling;
        _continuationFailed = _ => _faults.ObserverFailed();
        _pingPool = new PingOperationPool(operation => Post(new Command((engine, _) => ForgetPing(engine, operation), null)), _inline);
        _timer = _time.CreateTimer(_ => _inbox.Writer.TryWrite(Wake.Instance), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        LocalEndpoint = (IPEndPoint)socket.LocalEndPoint!;
        Info = engine.LocalInfo;
    }

    /// <summary>This node's ID.</summary>
    public NodeId Id => _identity.Id;

    /// <summary>This node's contact as others reach it.</summary>
    public NodeInfo Info { get; }

    /// <summary>This node's contact string (<c>key.nonce@host:port</c>), to give to <c>--bootstrap</c>.</summary>
    public string ContactString => Kademlia.ContactString.Format(Info);

    /// <summary>The bound UDP endpoint.</summary>
    public IPEndPoint LocalEndpoint { get; }

    /// <summary>
    /// Completes when the node is disposed, or faults with the exception that stopped its loop. A host
    /// awaits it to learn that a node died rather than finding out from the next call.
    /// </summary>
    public Task Completion => _completion.Task;

    /// <summary>Binds the socket, starts the loop and returns the running node.</summary>
    /// <exception cref="SocketException">The endpoint cannot be bound.</exception>
    public static async Task<DhtNode> StartAsync(DhtNodeOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.JoinRetryDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.JoinRetryMaxDelay, options.JoinRetryDelay);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.AppInboxCapacity, 1);
        if (!Enum.IsDefined(options.ReceiveThreading))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ReceiveThreading, "Not a ReceiveThreading value.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.AppMessagesPerSecondPerPeer, 0);
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
                LocalAddresses = LocalAddresses(bound),
                Mode = options.Mode,
                KeepaliveInterval = options.KeepaliveInterval,
                KeepalivePeers = options.KeepalivePeers,
                Quorum = options.Quorum,
                RequestsPerSecondPerSource = options.RequestsPerSecondPerSource,
                RequestBurstPerSource = 2 * options.RequestsPerSecondPerSource,
                AppMessagesPerSecondPerPeer = options.AppMessagesPerSecondPerPeer,
                AppMessageBurstPerPeer = 2 * options.AppMessagesPerSecondPerPeer,
            };
            var engine = new KademliaEngine(identity, engineOptions, options.Store);
            try
            {
                engine.Restore(options.TimeProvider.GetUtcNow(), options.Published ?? []);
            }
            catch
            {
                engine.Dispose();
                throw;
            }
            var node = new DhtNode(socket, engine, identity, ownsIdentity, options);
            node.Start(options.ReceiveThreading);
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
    /// or addresses (<c>host:port</c>, host names resolved here). One attempt; see
    /// <see cref="JoinAsync"/> for one that does not give up.
    /// </summary>
    /// <exception cref="FormatException">A seed is not a contact string or address.</exception>
    public async Task<BootstrapResult> BootstrapAsync(IEnumerable<string> seeds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        var list = SeedList.Parse(seeds);
        var addresses = new List<EndPoint>(list.Addresses);
        foreach (var (host, port) in list.Hosts)
        {
            var resolved = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            addresses.Add(new IPEndPoint(resolved.First(), port));
        }

        return await BootstrapAsync(list.Contacts, addresses, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Joins the network and does not give up: like <see cref="BootstrapAsync(IEnumerable{string}, CancellationToken)"/>
    /// through <paramref name="seeds"/> and <paramref name="contacts"/> (say, a saved routing table), but
    /// while no seed answers — none up yet, a host name that does not resolve yet, a seed too slow on a
    /// loaded machine — it logs, waits and tries again. The waits double from
    /// <see cref="DhtNodeOptions.JoinRetryDelay"/> to <see cref="DhtNodeOptions.JoinRetryMaxDelay"/>, each
    /// drawn between half and all of its step so that nodes started together spread out. Host names are
    /// resolved again on every attempt.
    /// </summary>
    /// <returns>The first attempt that put at least one contact in the routing table.</returns>
    /// <exception cref="FormatException">A seed is not a contact string or address.</exception>
    /// <exception cref="ArgumentException">There is no seed and no contact to join through.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public async Task<BootstrapResult> JoinAsync(IEnumerable<string> seeds, IEnumerable<NodeInfo>? contacts = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        var list = SeedList.Parse(seeds);
        foreach (var contact in contacts ?? [])
        {
            if (contact.Id != Id && !list.Contacts.Contains(contact))
            {
                list.Contacts.Add(contact);
            }
        }

        if (list.Count == 0)
        {
            throw new ArgumentException("There is no seed and no contact to join through.", nameof(seeds));
        }

        var backoff = new JoinBackoff(_joinRetryDelay, _joinRetryMaxDelay, new Random());
        for (var attempt = 1; ; attempt++)
        {
            var addresses = new List<EndPoint>(list.Addresses);
            foreach (var (host, port) in list.Hosts)
            {
                try
                {
                    var resolved = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
                    if (resolved.Length > 0)
                    {
                        addresses.Add(new IPEndPoint(resolved[0], port));
                    }
                }
                catch (SocketException e)
                {
                    Log.SeedUnresolved(_logger, attempt, host, e.SocketErrorCode.ToString());
                }
            }

            var result = await BootstrapAsync(list.Contacts, addresses, cancellationToken).ConfigureAwait(false);
            if (result.TableSize > 0)
            {
                Log.Joined(_logger, attempt, result.TableSize);
                return result;
            }

            var delay = backoff.Next();
            Log.JoinRetrying(_logger, attempt, list.Count, delay.TotalSeconds);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Joins the network through known contacts and bare addresses.</summary>
    public Task<BootstrapResult> BootstrapAsync(IEnumerable<NodeInfo> seeds, IEnumerable<EndPoint>? addresses = null, CancellationToken cancellationToken = default)
    {
        var contacts = seeds.ToList();
        var bare = addresses?.ToList() ?? [];
        return RunAsync<BootstrapResult>("bootstrap", (engine, now) => engine.Bootstrap(now, contacts, bare), cancellationToken);
    }

    /// <summary>Pings a known contact.</summary>
    /// <remarks>
    /// The request path allocates nothing of its own in the steady state: the operation behind the
    /// returned task is pooled (unless an <see cref="System.Diagnostics.ActivityListener"/> traces
    /// operations, which takes the general path). Await the task once, as any <see cref="ValueTask{TResult}"/>.
    /// </remarks>
    public ValueTask<PingResult> PingAsync(NodeInfo peer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        if (_fault is not null || cancellationToken.IsCancellationRequested || DhtMetrics.ActivitySource.HasListeners())
        {
            return new ValueTask<PingResult>(RunAsync<PingResult>("ping", (engine, now) => engine.Ping(now, peer), cancellationToken));
        }

        var operation = _pingPool.Rent();
        var task = operation.Begin(peer, cancellationToken);
        if (!TryRunHere(null, default, operation) && !_inbox.Writer.TryWrite(operation))
        {
            operation.Fail(_fault ?? new ObjectDisposedException(nameof(DhtNode)));
        }

        return task;
    }

    /// <summary>Pings a node known only by address.</summary>
    public ValueTask<PingResult> PingAsync(IPEndPoint address, CancellationToken cancellationToken = default) =>
        new(RunAsync<PingResult>("ping", (engine, now) => engine.Ping(now, address), cancellationToken));

    /// <summary>Finds the k closest nodes to <paramref name="target"/>.</summary>
    public Task<FindNodeResult> FindNodeAsync(NodeId target, CancellationToken cancellationToken = default) =>
        RunAsync<FindNodeResult>("find_node", (engine, now) => engine.FindNode(now, target), cancellationToken);

    /// <summary>Stores a record on the k closest nodes (and republishes it while the node runs).</summary>
    public Task<StoreResult> PutAsync(ValueRecord record, ulong? expectedSequence = null, CancellationToken cancellationToken = default) =>
        RunAsync<StoreResult>("put", (engine, now) => engine.Put(now, record, expectedSequence), cancellationToken);

    /// <summary>Finds the value under <paramref name="key"/>.</summary>
    public Task<GetResult> GetAsync(NodeId key, RecordKind kind, CancellationToken cancellationToken = default) =>
        RunAsync<GetResult>("get", (engine, now) => engine.Get(now, key, kind), cancellationToken);

    /// <summary>
    /// Finds the value under <paramref name="key"/>, yielding the first valid copy as soon as it arrives
    /// and then each higher sequence of a mutable record; the last value yielded is the final answer (the
    /// highest sequence among the k closest). An immutable value is yielded once. Yields nothing when no
    /// value is found.
    /// </summary>
    public IAsyncEnumerable<ValueRecord> GetUpdatesAsync(NodeId key, RecordKind kind, CancellationToken cancellationToken = default) =>
        StreamAsync<ValueRecord>((values, token) => RunAsync<GetResult>("get", (engine, now) => engine.Get(now, key, kind), token, values: values), cancellationToken);

    /// <summary>Announces this node as a provider of <paramref name="topic"/>, with optional application data (≤ 128 bytes).</summary>
    public Task<StoreResult> AnnounceAsync(NodeId topic, ReadOnlyMemory<byte> applicationData = default, CancellationToken cancellationToken = default) =>
        RunAsync<StoreResult>("announce", (engine, now) => engine.Announce(now, topic, applicationData.Span), cancellationToken);

    /// <summary>Finds providers of <paramref name="topic"/>, yielding each as soon as it is found.</summary>
    public IAsyncEnumerable<ProviderRecord> FindProvidersAsync(NodeId topic, int maxProviders = 100, CancellationToken cancellationToken = default) =>
        StreamAsync<ProviderRecord>((providers, token) => RunAsync<FindProvidersResult>("find_providers", (engine, now) => engine.FindProviders(now, topic, maxProviders), token, providers), cancellationToken);

    /// <summary>
    /// Yields what an operation reports as it goes (providers found, improving values), then its end: the
    /// operation writes into the channel it is given, which its task's end completes (with its fault, if any).
    /// The operation gets the enumeration's token (the caller's, combined with one given to WithCancellation),
    /// and is cancelled when the caller stops early (a <c>break</c> out of <c>await foreach</c> disposes the
    /// enumerator): the lookup does not go on for nobody.
    /// </summary>
    private static async IAsyncEnumerable<T> StreamAsync<T>(Func<ChannelWriter<T>, CancellationToken, Task> run, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var items = Channel.CreateUnbounded<T>();
        var task = run(items.Writer, abandon.Token);
        _ = task.ContinueWith(t => items.Writer.TryComplete(t.Exception?.InnerException), TaskScheduler.Default);
        var finished = false;
        try
        {
            await foreach (var item in items.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }

            finished = true;
        }
        finally
        {
            if (!finished && !task.IsCompleted)
            {
                await abandon.CancelAsync().ConfigureAwait(false);
                _ = task.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        await task.ConfigureAwait(false);
    }

    /// <summary>The node's events (contacts added and evicted, records stored and expired, operations finished) until cancelled.</summary>
    public IAsyncEnumerable<EngineEvent> SubscribeAsync(CancellationToken cancellationToken = default) =>
        SubscribeAsync(includeLookupSteps: false, cancellationToken);

    /// <summary>
    /// The node's events until cancelled, with <paramref name="includeLookupSteps"/> also a
    /// <see cref="LookupStepped"/> for every answer or failure of the lookups of operations started
    /// through this node (the engine reports those only while such a subscriber listens). A subscriber
    /// that falls 1024 events behind loses the oldest.
    /// </summary>
    public async IAsyncEnumerable<EngineEvent> SubscribeAsync(bool includeLookupSteps, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var subscriber = new Subscriber(Channel.CreateBounded<EngineEvent>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest }), includeLookupSteps);
        await PostAsync((engine, _) =>
        {
            _subscribers.Add(subscriber);
            engine.ReportLookupSteps |= includeLookupSteps;
        }, cancellationToken).ConfigureAwait(false);
        try
        {
            await foreach (var item in subscriber.Events.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
        finally
        {
            Post(new Command((engine, _) =>
            {
                _subscribers.Remove(subscriber);
                engine.ReportLookupSteps = _subscribers.Exists(s => s.LookupSteps);
            }, null));
        }
    }

    /// <summary>Every contact of the routing table with what the node has measured of it, by bucket.</summary>
    public Task<IReadOnlyList<RoutingContact>> GetRoutingTableAsync(CancellationToken cancellationToken = default) =>
        PostAsync<IReadOnlyList<RoutingContact>>((engine, _) =>
        {
            var contacts = new List<RoutingContact>(engine.Routing.Count);
            for (var i = 0; i < NodeId.Bits; i++)
            {
                if (engine.Routing.GetBucket(i) is { Count: > 0 } bucket)
                {
                    contacts.AddRange(bucket.Contacts.Select(c => RoutingContact.From(c, i)));
                }
            }

            return contacts;
        }, cancellationToken);

    /// <summary>The values and provider topics this node's store holds now, with their expiry times.</summary>
    public Task<HeldRecords> GetHeldRecordsAsync(CancellationToken cancellationToken = default) =>
        PostAsync((engine, now) => new HeldRecords(engine.Store.Values(now), engine.Store.Topics(now)), cancellationToken);

    /// <summary>
    /// Sends a datagram to the application receiving on <paramref name="channel"/> at <paramref name="peer"/>,
    /// over the encrypted session this node has with it (opened on the way if there is none: the datagram
    /// rides in the first handshake message). Like a UDP datagram it may be lost, and nothing says whether it
    /// arrived; use <see cref="RequestAsync"/> for an answer.
    /// </summary>
    /// <returns>A task that completes when the node has sent (or queued) the datagram.</returns>
    /// <exception cref="ArgumentException">
    /// The payload is longer than <see cref="MaxAppPayload"/> bytes, the channel name is not 1 to 32 printable
    /// ASCII characters, or the peer has no endpoint or is this node.
    /// </exception>
    public ValueTask SendAsync(NodeInfo peer, string channel, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        CheckAppMessage(peer, channel, payload);
        var bytes = payload.ToArray();
        return new ValueTask(PostAsync((engine, now) => engine.SendAppDatagram(now, peer, channel, bytes), cancellationToken));
    }

    /// <summary>
    /// Receives the application messages other nodes send to <paramref name="channel"/> on this node, until
    /// cancelled. While nothing receives on a channel, requests to it are refused (<see cref="ErrorCode.NoSuchChannel"/>)
    /// and datagrams dropped. One receiver per channel at a time; messages it does not read fast enough
    /// (<see cref="DhtNodeOptions.AppInboxCapacity"/>) are dropped, a request among them refused
    /// <see cref="ErrorCode.RateLimited"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The channel name is not 1 to 32 printable ASCII characters.</exception>
    /// <exception cref="InvalidOperationException">(When enumerated.) Something already receives on the channel.</exception>
    public IAsyncEnumerable<AppMessage> ReceiveAsync(string channel, CancellationToken cancellationToken = default)
    {
        AppChannel.Validate(channel, nameof(channel));
        return ReceiveCoreAsync(channel, cancellationToken);
    }

    /// <summary>
    /// Sends a request to the application receiving on <paramref name="channel"/> at <paramref name="peer"/>
    /// and returns its answer. Each attempt waits <paramref name="timeout"/>; an unanswered one is sent again,
    /// up to <paramref name="retries"/> more times. Retries repeat the request's ID, so a receiver still
    /// working on it does not see it twice; one whose answer was lost does (make such requests idempotent).
    /// </summary>
    /// <returns>The peer application's answer.</returns>
    /// <exception cref="ArgumentException">
    /// The payload is longer than <see cref="MaxAppPayload"/> bytes, the channel name is not 1 to 32 printable
    /// ASCII characters, or the peer has no endpoint or is this node.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is not positive, or the retries negative.</exception>
    /// <exception cref="TimeoutException">No attempt was answered in time.</exception>
    /// <exception cref="AppRequestRefusedException">The peer refused: nothing receives on the channel there, or it is over its rate.</exception>
    public Task<ReadOnlyMemory<byte>> RequestAsync(NodeInfo peer, string channel, ReadOnlyMemory<byte> payload, TimeSpan timeout, int retries, CancellationToken cancellationToken = default)
    {
        CheckAppMessage(peer, channel, payload);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(retries);
        var bytes = payload.ToArray();
        var result = RunAsync<AppRequestResult>("app_request", (engine, now) => engine.SendAppRequest(now, peer, channel, bytes, timeout, retries), cancellationToken);
        return AnswerOfAsync(result, channel, timeout, retries);
    }

    /// <summary>
    /// Opens a channel to the provider of <paramref name="provider"/>: direct when it is reachable, punched
    /// through the NATs or relayed through one of its rendezvous points when it is behind one
    /// (docs/PROTOCOL.md, "Rendezvous, hole punching and relays").
    /// </summary>
    /// <exception cref="ArgumentException">The channel name is not 1 to 32 printable ASCII characters.</exception>
    /// <exception cref="TimeoutException">The provider could not be reached by any path.</exception>
    public Task<PeerChannel> ConnectAsync(ProviderRecord provider, string channel, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(provider);
        return ConnectAsync(provider.Provider, channel, provider.Rendezvous, cancellationToken);
    }

    /// <summary>
    /// Opens a channel to <paramref name="peer"/>: straight when it has no <paramref name="rendezvous"/> points
    /// (it is reachable), else punched through the NATs with the help of one of them, or relayed through one
    /// when the punch fails. The channel says which (<see cref="PeerChannel.Path"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The channel name is invalid, or the peer is this node or has neither endpoint nor rendezvous points.</exception>
    /// <exception cref="TimeoutException">The peer could not be reached by any path.</exception>
    public async Task<PeerChannel> ConnectAsync(NodeInfo peer, string channel, ImmutableArray<WireContact> rendezvous = default, CancellationToken cancellationToken = default)
    {
        AppChannel.Validate(channel, nameof(channel));
        if (peer.Id == Id)
        {
            throw new ArgumentException("A node does not connect to itself.", nameof(peer));
        }

        if (peer.Endpoint.IsUnspecified && rendezvous.IsDefaultOrEmpty)
        {
            throw new ArgumentException($"The peer {peer.Id.ToShortString()} has neither an endpoint nor rendezvous points.", nameof(peer));
        }

        var result = await ConnectCoreAsync(peer, rendezvous, punchAgain: false, cancellationToken).ConfigureAwait(false);
        var opened = new PeerChannel(this, peer, rendezvous, channel, result.Via);
        await KeepAsync(opened, cancellationToken).ConfigureAwait(false);
        return opened;
    }

    /// <summary>Keeps the path of <paramref name="channel"/> (the engine watches, repairs and upgrades it) and tells it the path now.</summary>
    internal Task<PeerPath> KeepAsync(PeerChannel channel, CancellationToken cancellationToken) =>
        PostAsync((engine, now) =>
        {
            _openChannels.Add(channel);
            engine.KeepLink(now, channel.Peer, channel.Rendezvous); // past 256 kept paths the channel still works, unkept
            var path = engine.PathTo(channel.Peer, now);
            channel.OnPathChanged(path, _ => _faults.ObserverFailed());
            return path;
        }, cancellationToken);

    /// <summary>A channel was closed: the path is no longer kept once no channel to its peer is open.</summary>
    internal void Release(PeerChannel channel) =>
        Post(new Command((engine, _) =>
        {
            if (_openChannels.Remove(channel))
            {
                engine.DropLink(channel.Peer);
            }
        }, null));

    internal async Task<ConnectResult> ConnectCoreAsync(NodeInfo peer, ImmutableArray<WireContact> rendezvous, bool punchAgain, CancellationToken cancellationToken)
    {
        var result = await RunAsync<ConnectResult>("connect", (engine, now) => engine.Connect(now, peer, rendezvous, punchAgain), cancellationToken).ConfigureAwait(false);
        return result.Succeeded
            ? result
            : throw new TimeoutException($"Node {peer.Id.ToShortString()} could not be reached directly, by a punch or through a relay.");
    }

    internal Task<PeerPath> PathToAsync(NodeInfo peer, CancellationToken cancellationToken) =>
        PostAsync((engine, now) => engine.PathTo(peer, now), cancellationToken);

    /// <summary>A datagram over a channel's session: the peer may have no endpoint of its own (relayed, or behind a symmetric NAT).</summary>
    internal ValueTask SendOnChannelAsync(NodeInfo peer, string channel, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        CheckAppPayload(payload, nameof(payload));
        var bytes = payload.ToArray();
        return new ValueTask(PostAsync((engine, now) => engine.SendAppDatagram(now, peer, channel, bytes), cancellationToken));
    }

    /// <summary>A request over a channel's session (see <see cref="SendOnChannelAsync"/>).</summary>
    internal Task<ReadOnlyMemory<byte>> RequestOnChannelAsync(NodeInfo peer, string channel, ReadOnlyMemory<byte> payload, TimeSpan timeout, int retries, CancellationToken cancellationToken)
    {
        CheckAppPayload(payload, nameof(payload));
        var bytes = payload.ToArray();
        var result = RunAsync<AppRequestResult>("app_request", (engine, now) => engine.SendAppRequest(now, peer, channel, bytes, timeout, retries), cancellationToken);
        return AnswerOfAsync(result, channel, timeout, retries);
    }

    private static async Task<ReadOnlyMemory<byte>> AnswerOfAsync(Task<AppRequestResult> request, string channel, TimeSpan timeout, int retries)
    {
        var result = await request.ConfigureAwait(false);
        if (result.Succeeded)
        {
            return result.Response;
        }

        throw result.Refusal is { } refusal
            ? new AppRequestRefusedException(result.Peer.Id, channel, refusal)
            : new TimeoutException(
                $"Node {result.Peer.Id.ToShortString()} did not answer the request on channel '{channel}' ({1 + retries} attempts of {timeout.TotalSeconds:0.###} s).");
    }

    /// <summary>Throws unless <paramref name="payload"/> fits one application message.</summary>
    internal static void CheckAppPayload(ReadOnlyMemory<byte> payload, string parameterName)
    {
        if (payload.Length > MaxAppPayload)
        {
            throw new ArgumentException(
                $"An application payload is at most {MaxAppPayload} bytes (one packet), not {payload.Length}; split larger data yourself.", parameterName);
        }
    }

    /// <summary>Sends an application's answer; false when its request no longer waits.</summary>
    internal ValueTask<bool> ReplyAsync(NodeInfo requester, ulong requestId, byte[] payload, CancellationToken cancellationToken) =>
        new(PostAsync((engine, now) => engine.ReplyApp(now, requester, requestId, payload), cancellationToken));

    private void CheckAppMessage(NodeInfo peer, string channel, ReadOnlyMemory<byte> payload)
    {
        AppChannel.Validate(channel, nameof(channel));
        CheckAppPayload(payload, nameof(payload));
        if (peer.Endpoint.IsUnspecified)
        {
            throw new ArgumentException($"The peer {peer.Id.ToShortString()} has no endpoint to send to.", nameof(peer));
        }

        if (peer.Id == Id)
        {
            throw new ArgumentException("A node does not send application messages to itself.", nameof(peer));
        }
    }

    private async IAsyncEnumerable<AppMessage> ReceiveCoreAsync(string channel, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var inbox = Channel.CreateBounded<AppMessage>(new BoundedChannelOptions(_appInboxCapacity) { SingleReader = true, SingleWriter = true });
        if (!await PostAsync((engine, _) => _receivers.TryOpen(engine, channel, inbox.Writer), cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"Something already receives on channel '{channel}' of this node; one receiver per channel.");
        }

        try
        {
            await foreach (var message in inbox.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return message;
            }
        }
        finally
        {
            Post(new Command((engine, _) => _receivers.Close(engine, channel, inbox.Writer), null));
        }
    }

    /// <summary>A snapshot of the routing table, records, traffic and contained faults.</summary>
    public Task<DhtStatistics> GetStatisticsAsync(CancellationToken cancellationToken = default) => PostAsync((engine, _) =>
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

        if (_receivers.Dropped > 0)
        {
            drops["runtime.AppInboxFull"] = _receivers.Dropped;
        }

        return new DhtStatistics(engineStats with { Drops = drops }, buckets, engine.Store.Statistics) { Faults = _faults.Snapshot() };
    }, cancellationToken);

    /// <summary>
    /// The values and announcements this node republishes, with their next republish times: what a host
    /// saves (when a <see cref="PublishedChanged"/> event comes from <see cref="SubscribeAsync(CancellationToken)"/>) and gives
    /// back in <see cref="DhtNodeOptions.Published"/> after a restart.
    /// </summary>
    public Task<IReadOnlyList<PublishedRecord>> GetPublishedAsync(CancellationToken cancellationToken = default) =>
        PostAsync((engine, _) => engine.Published, cancellationToken);

    /// <summary>
    /// The rendezvous points this node would name in a provider record now: up to three of the public nodes
    /// it keeps sessions with, when it runs as a client (behind a NAT); empty for a server, which is reached
    /// directly. A host behind a NAT waits until it has some before it announces, so that joiners can punch
    /// through to it or be relayed (docs/PROTOCOL.md, "Rendezvous, hole punching and relays").
    /// </summary>
    public Task<ImmutableArray<WireContact>> GetRendezvousPointsAsync(CancellationToken cancellationToken = default) =>
        PostAsync((engine, now) => engine.RendezvousPoints(now), cancellationToken);

    /// <summary>The contacts of the routing table (for a snapshot to disk).</summary>
    public Task<IReadOnlyList<NodeInfo>> GetContactsAsync(CancellationToken cancellationToken = default) =>
        PostAsync<IReadOnlyList<NodeInfo>>((engine, _) => engine.Routing.Contacts.Select(c => c.ToNodeInfo()).ToList(), cancellationToken);

    /// <summary>
    /// Stops the loop, closes the socket and fails operations still running or queued with
    /// <see cref="ObjectDisposedException"/>. <see cref="Completion"/> then completes, unless the node
    /// had faulted.
    /// </summary>
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

        Log.Stopped(_logger, Id.ToShortString());
        _engine.Dispose();
        _metrics.Dispose();
        if (_ownsIdentity)
        {
            _identity.Dispose();
        }

        _stopping.Dispose();
        _completion.TrySetResult();
    }

    private void Start(ReceiveThreading receiveThreading)
    {
        _loop = Task.Run(RunLoopAsync);
        _receiver = StartReceiving(receiveThreading);
        Log.Started(_logger, Id.ToString(), LocalEndpoint, _engine.Options.Network.Name);
    }

    private Task<T> RunAsync<T>(string operation, Func<KademliaEngine, DateTimeOffset, QueryId> start, CancellationToken cancellationToken, ChannelWriter<ProviderRecord>? providers = null, ChannelWriter<ValueRecord>? values = null)
        where T : QueryResult
    {
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        if (_fault is { } fault)
        {
            providers?.TryComplete(fault);
            values?.TryComplete(fault);
            return Task.FromException<T>(fault);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            providers?.TryComplete();
            values?.TryComplete();
            return Task.FromCanceled<T>(cancellationToken);
        }

        var completion = new TaskCompletionSource<QueryResult>(_inline ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
        var activity = DhtMetrics.ActivitySource.StartActivity("kademlia." + operation);
        var pending = new PendingQuery(operation, completion, providers, activity, _faults) { Values = values };
        Post(new Command((engine, now) => StartQuery(engine, now, pending, start), pending.Fail));
        if (cancellationToken.CanBeCanceled)
        {
            // The caller's task ends here, on the cancelling thread, whatever the loop is doing (it
            // may be stuck in a slow store); the loop only forgets the query when it gets to it.
            var registration = cancellationToken.Register(() =>
            {
                if (pending.Cancel(cancellationToken))
                {
                    Post(new Command((engine, _) => ForgetQuery(engine, pending), null));
                }
            });
            completion.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return Await(completion.Task);

        static async Task<T> Await(Task<QueryResult> task) => (T)await task.ConfigureAwait(false);
    }

    private void StartQuery(KademliaEngine engine, DateTimeOffset now, PendingQuery pending, Func<KademliaEngine, DateTimeOffset, QueryId> start)
    {
        if (pending.IsCompleted)
        {
            return; // cancelled while queued: never started
        }

        // An operation that throws (a store that fails, a value the engine refuses) fails its caller,
        // never the loop that serves everyone else.
        try
        {
            pending.Id = start(engine, now);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (e is not (ArgumentException or InvalidOperationException))
            {
                _faults.OperationFailed();
                Log.OperationFailed(_logger, pending.Operation, e);
            }

            EndCall(pending, null, e);
            return;
        }

        if (pending.IsCompleted)
        {
            engine.Cancel(pending.Id); // cancelled while the engine was starting it
            return;
        }

        _queries[pending.Id] = pending;
    }

    private void StartPing(KademliaEngine engine, DateTimeOffset now, PingOperation operation)
    {
        if (operation.IsCompleted)
        {
            return; // cancelled while queued: never started
        }

        try
        {
            operation.Id = engine.PingWithCompletion(now, operation.Peer);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _faults.OperationFailed();
            Log.OperationFailed(_logger, "ping", e);
            EndCall(operation, null, e);
            return;
        }

        _pings[operation.Id] = operation;
    }

    private void ForgetPing(KademliaEngine engine, PingOperation operation)
    {
        if (_pings.TryGetValue(operation.Id, out var held) && held == operation)
        {
            _pings.Remove(operation.Id);
            engine.Cancel(operation.Id);
        }
    }

    private void ForgetQuery(KademliaEngine engine, PendingQuery pending)
    {
        if (_queries.TryGetValue(pending.Id, out var held) && held == pending)
        {
            _queries.Remove(pending.Id);
            engine.Cancel(pending.Id);
        }
    }

    private Task PostAsync(Action<KademliaEngine, DateTimeOffset> action, CancellationToken cancellationToken = default) => PostAsync<bool>((engine, now) =>
    {
        action(engine, now);
        return true;
    }, cancellationToken);

    private Task<T> PostAsync<T>(Func<KademliaEngine, DateTimeOffset, T> action, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        if (_fault is { } fault)
        {
            return Task.FromException<T>(fault);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new Command(
            (engine, now) =>
            {
                if (completion.Task.IsCompleted)
                {
                    return;
                }

                try
                {
                    completion.TrySetResult(action(engine, now));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    _faults.OperationFailed();
                    completion.TrySetException(e);
                }
            },
            e => completion.TrySetException(e)));
        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() => completion.TrySetCanceled(cancellationToken));
            completion.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return completion.Task;
    }

    /// <summary>
    /// Queues work for the loop. Once the loop has stopped the inbox is closed, and the work fails at
    /// once with the reason: the loop's fault, or disposal.
    /// </summary>
    private void Post(Command command)
    {
        if (!_inbox.Writer.TryWrite(command))
        {
            command.Fail?.Invoke(_fault ?? new ObjectDisposedException(nameof(DhtNode)));
        }
    }

    /// <summary>
    /// Work done on the calling thread, with no queue and no hand-off to the loop, when no other thread holds
    /// the engine: a known peer's datagram (<paramref name="from"/>, <paramref name="datagram"/>) on the thread
    /// that received it, or <paramref name="ping"/> on its caller's. False (nothing done) when another thread
    /// holds the engine, or when this one does already (an observer of this node's own events calling back
    /// into it); the caller then queues the work for the loop.
    /// </summary>
    private bool TryRunHere(IPEndPoint? from, ReadOnlySpan<byte> datagram, PingOperation? ping)
    {
        if (_engineLock.IsHeldByCurrentThread || !_engineLock.TryEnter())
        {
            return false;
        }

        try
        {
            if (_closed)
            {
                if (ping is not null)
                {
                    EndCall(ping, null, _fault ?? new ObjectDisposedException(nameof(DhtNode)));
                }
            }
            else
            {
                var now = _time.GetUtcNow();
                if (ping is not null)
                {
                    StartPing(_engine, now, ping);
                }
                else
                {
                    HandleDatagram(from!, datagram, now);
                }

                FlushAndArm(now);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Fault(e);
        }
        finally
        {
            ExitEngine();
        }

        return true;
    }

    private async Task RunLoopAsync()
    {
        var reader = _inbox.Reader;
        try
        {
            while (_fault is null && await reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                _engineLock.Enter();
                try
                {
                    var now = _time.GetUtcNow();
                    while (_fault is null && reader.TryRead(out var item))
                    {
                        Handle(item, now);
                        Flush(now);
                        now = _time.GetUtcNow();
                    }

                    Rearm(now);
                }
                finally
                {
                    ExitEngine(onLoop: true);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Fault(e);
        }

        // Nothing is served any more, so nobody may be left waiting: the threads that would start work
        // here see the node closed, and what is queued or running fails.
        _engineLock.Enter();
        try
        {
            _closed = true;
            FailEverything(_fault);
        }
        finally
        {
            ExitEngine(onLoop: true);
        }

        if (_fault is { } fault)
        {
            _completion.TrySetException(fault);
        }
    }

    /// <summary>
    /// Lets go of the engine, then delivers the results held for inline scheduling (none without it), so
    /// that callers' code never runs under the lock. The loop hands them to the thread pool instead: a
    /// caller's code that waited there for another call of the node would wait for the loop itself.
    /// </summary>
    private void ExitEngine(bool onLoop = false)
    {
        var held = _completions.Take();
        _engineLock.Exit();
        if (held is null)
        {
            return;
        }

        if (onLoop)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static state => InlineCompletions.Deliver(state.Held, state.Failed), (Held: held, Failed: _continuationFailed), preferLocal: false);
        }
        else
        {
            InlineCompletions.Deliver(held, _continuationFailed);
        }
    }

    /// <summary>
    /// Ends a caller's task (a ping's or a query's) with <paramref name="result"/> or <paramref name="error"/>:
    /// now, or, with inline scheduling, once the engine is let go.
    /// </summary>
    private void EndCall(IInlineCompletable call, object? result, Exception? error)
    {
        if (_inline)
        {
            _completions.Add(call, result, error);
        }
        else
        {
            call.Complete(result, error);
        }
    }

    /// <summary>
    /// The node's own machinery failed (its clock, its timer, the engine's output), on the loop or on a
    /// thread that held the engine: the node stops. The loop sees it and fails everything.
    /// </summary>
    private void Fault(Exception exception)
    {
        if (Interlocked.CompareExchange(ref _fault, exception, null) is null)
        {
            _inbox.Writer.TryComplete();
            Log.LoopFailed(_logger, exception);
        }
    }

    /// <summary>One inbox item; whatever it throws stays with it.</summary>
    /// <summary>
    /// Names a mismatched network as the cause: packets of another network are dropped (and counted under
    /// <c>session.WrongNetwork</c>) without an answer, so the sender only sees silence; this side says why,
    /// at most once a minute.
    /// </summary>
    private void NoteWrongNetwork(DateTimeOffset now, EndPoint from)
    {
        _wrongNetworkDrops = _engine.WrongNetworkDrops;
        if (now >= _nextWrongNetworkLog)
        {
            _nextWrongNetworkLog = now + TimeSpan.FromMinutes(1);
            Log.WrongNetwork(_logger, _wrongNetworkDrops, from, _engine.Options.Network.Name);
        }
    }

    private void Handle(object item, DateTimeOffset now)
    {
        switch (item)
        {
            case Datagram datagram:
                Leave(datagram);
                try
                {
                    HandleDatagram(datagram.From, datagram.Bytes.AsSpan(0, datagram.Length), now);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(datagram.Bytes);
                }

                break;
            case PingOperation ping:
                StartPing(_engine, now, ping);
                break;
            case Command command:
                try
                {
                    command.Run(_engine, now);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    _faults.OperationFailed();
                    command.Fail?.Invoke(e);
                }

                break;
            default:
                RunTimers(now);
                break;
        }
    }

    /// <summary>One datagram through the filter and the engine; whatever it throws stays with it.</summary>
    private void HandleDatagram(IPEndPoint from, ReadOnlySpan<byte> datagram, DateTimeOffset now)
    {
        try
        {
            if (_filter is { } filter && !filter.Admits(from))
            {
                return;
            }

            _engine.HandleDatagram(now, from, datagram);
            if (_engine.WrongNetworkDrops != _wrongNetworkDrops)
            {
                NoteWrongNetwork(now, from);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var count = _faults.DatagramFailed();
            if (FaultCounters.ShouldLog(count))
            {
                Log.DatagramFailed(_logger, from, count, e);
            }
        }
    }

    private void RunTimers(DateTimeOffset now)
    {
        if (now < _timersHeldUntil)
        {
            return;
        }

        try
        {
            _engine.HandleTimeout(now);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // What threw is likely to throw again at once (a store that cannot read): retrying on
            // every wake-up would spin the loop, so the timers rest a second.
            _timersHeldUntil = now + TimeSpan.FromSeconds(1);
            var count = _faults.TimerFailed();
            if (FaultCounters.ShouldLog(count))
            {
                Log.TimerFailed(_logger, count, e);
            }
        }
    }

    /// <summary>
    /// Ends everything still waiting on a stopped loop: queued commands, running queries and
    /// subscriptions, with the loop's fault or, when <paramref name="fault"/> is null, disposal.
    /// </summary>
    private void FailEverything(Exception? fault)
    {
        var reason = fault ?? new ObjectDisposedException(nameof(DhtNode));
        while (_inbox.Reader.TryRead(out var item))
        {
            switch (item)
            {
                case Command command:
                    command.Fail?.Invoke(reason);
                    break;
                case PingOperation ping:
                    EndCall(ping, null, reason);
                    break;
                case Datagram datagram:
                    Leave(datagram);
                    ArrayPool<byte>.Shared.Return(datagram.Bytes);
                    break;
            }
        }

        foreach (var ping in _pings.Values)
        {
            EndCall(ping, null, reason);
        }

        _pings.Clear();

        foreach (var pending in _queries.Values)
        {
            EndCall(pending, null, reason);
        }

        _queries.Clear();
        foreach (var subscriber in _subscribers)
        {
            subscriber.Events.Writer.TryComplete(fault);
        }

        _subscribers.Clear();
        _receivers.CompleteAll(fault);
    }

    /// <summary>The loop's pass after a batch: runs the timers that are due, then sets the timer for the next.</summary>
    private void Rearm(DateTimeOffset now)
    {
        for (var rounds = 0; rounds < 8 && now >= _timersHeldUntil && _engine.NextTimeout() is { } due && due <= now; rounds++)
        {
            RunTimers(now);
            Flush(now);
        }

        SnapshotMetrics(now);
        if (NextWake() is { } next)
        {
            Arm(now, next);
        }
        else
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _armedFor = null;
        }
    }

    /// <summary>
    /// After work done outside the loop (a datagram on the receive thread, a ping on its caller's): sends
    /// what it made, and brings the timer forward when the engine now wants to wake sooner than it is set
    /// for. A timer that fires early finds nothing due, and the loop sets it again.
    /// </summary>
    private void FlushAndArm(DateTimeOffset now)
    {
        Flush(now);
        SnapshotMetrics(now);
        if (NextWake() is { } next && (_armedFor is not { } armed || next < armed))
        {
            Arm(now, next);
        }
    }

    /// <summary>When the engine next wants a timer pass, no sooner than a failed pass allows; null when never.</summary>
    private DateTimeOffset? NextWake()
    {
        var next = _engine.NextTimeout();
        return next is { } at && at < _timersHeldUntil ? _timersHeldUntil : next;
    }

    private void Arm(DateTimeOffset now, DateTimeOffset due)
    {
        var delay = due - now;
        _timer.Change(delay < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : delay, Timeout.InfiniteTimeSpan);
        _armedFor = due;
    }

    /// <summary>Publishes the table and store gauges, at most once a second.</summary>
    private void SnapshotMetrics(DateTimeOffset now)
    {
        if (now < _nextSnapshot)
        {
            return;
        }

        _nextSnapshot = now + TimeSpan.FromSeconds(1);
        try
        {
            var stats = _engine.Store.Statistics;
            _metrics.Update(_engine.Statistics, stats.Values + stats.Providers);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _faults.ObserverFailed();
        }
    }

    /// <summary>Sends what the engine emitted, then handles its events, then sends what they made it emit (a refused app request).</summary>
    private void Flush(DateTimeOffset now)
    {
        SendTransmits();
        while (_engine.PollPingCompletion(out var completion))
        {
            if (_pings.Remove(completion.Query, out var ping))
            {
                // The caller first: a logger or listener that throws must not change its result. The
                // operation is not touched after this: its caller may already be reusing it.
                var result = completion.ToResult();
                EndCall(ping, result, null);
                Finished("ping", completion.Query, result);
            }
        }

        while (_engine.PollEvent(out var engineEvent))
        {
            Dispatch(engineEvent!, now);
        }

        SendTransmits();
    }

    private void SendTransmits()
    {
        while (_engine.PollTransmit(_sendBuffer, out var destination, out var length))
        {
            try
            {
                _filter?.Sent(destination);
                _socket.SendTo(_sendBuffer.AsSpan(0, length), SocketFlags.None, destination);
                _talkedTo.Add(destination);
            }
            catch (SocketException e)
            {
                Log.SendFailed(_logger, destination, e.SocketErrorCode.ToString());
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }

    private void Dispatch(EngineEvent engineEvent, DateTimeOffset now)
    {
        switch (engineEvent)
        {
            case AppMessageReceived received:
                var message = new AppMessage(this, received.From, received.Channel, received.Payload, received.RequestId, received.ExpectsReply);
                if (!_receivers.TryDeliver(message) && received.ExpectsReply)
                {
                    // Its application cannot take it now: say so, rather than let the requester wait it out.
                    _engine.RefuseApp(now, received.From, received.RequestId);
                }

                break;
            case QueryFinished finished when _queries.Remove(finished.Query, out var pending):
                EndCall(pending, finished.Result, null);
                Finished(pending.Operation, finished.Query, finished.Result);
                break;
            case ProviderFound found when _queries.TryGetValue(found.Query, out var pending):
                pending.Providers?.TryWrite(found.Provider);
                break;
            case ValueFound found when _queries.TryGetValue(found.Query, out var pending):
                pending.Values?.TryWrite(found.Record);
                break;
            case ContactAdded added:
                Log.ContactAdded(_logger, added.Contact.Node.ToString());
                break;
            case ContactEvicted evicted:
                Log.ContactEvicted(_logger, evicted.Contact.Node.ToString());
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
            case PeerPathChanged changed:
                Log.PeerPathChanged(_logger, changed.Peer.Id.ToShortString(), changed.Path.ToString());
                _openChannels.Notify(changed.Peer.Id, changed.Path, _ => _faults.ObserverFailed());
                break;
        }

        var lookupStep = engineEvent is LookupStepped;
        foreach (var subscriber in _subscribers)
        {
            if (!lookupStep || subscriber.LookupSteps)
            {
                subscriber.Events.Writer.TryWrite(engineEvent);
            }
        }
    }

    /// <summary>Logs and counts a finished operation, after its caller has the result.</summary>
    private void Finished(string operation, QueryId query, QueryResult result)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.QueryFinished(_logger, operation, query.ToString(), result.Succeeded, result.Hops, result.MessagesSent, result.Duration.TotalMilliseconds);
        }

        try
        {
            _metrics.QueryFinished(operation, result);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _faults.ObserverFailed();
        }
    }

    /// <summary>Datagrams waiting in the strangers' lane of the inbound queue (for tests).</summary>
    internal int QueuedFromStrangers => _strangers.Queued;

    /// <summary>Gives back the queue slot of a datagram that left the inbox, in the lane it entered.</summary>
    private void Leave(Datagram datagram)
    {
        if (datagram.Stranger is { } source)
        {
            _strangers.Leave(source);
        }
        else
        {
            Interlocked.Decrement(ref _queuedDatagrams);
        }
    }

    /// <summary>
    /// A received datagram: the first <paramref name="Length"/> bytes of <paramref name="Bytes"/> (rented
    /// from the shared pool, returned once handled); <paramref name="Stranger"/> is its source in the
    /// strangers' lane, null in the known peers' lane.
    /// </summary>
    private sealed record Datagram(IPEndPoint From, byte[] Bytes, int Length, NodeEndpoint? Stranger);

    /// <summary>One <see cref="SubscribeAsync(bool, CancellationToken)"/> enumeration.</summary>
    private sealed record Subscriber(Channel<EngineEvent> Events, bool LookupSteps);

    /// <summary>Work for the loop, and how to fail its caller if the loop never runs it.</summary>
    private sealed record Command(Action<KademliaEngine, DateTimeOffset> Run, Action<Exception>? Fail);

    private sealed class Wake
    {
        public static readonly Wake Instance = new();
    }

    private sealed class PendingQuery(string operation, TaskCompletionSource<QueryResult> completion, ChannelWriter<ProviderRecord>? providers, Activity? activity, FaultCounters faults) : IInlineCompletable
    {
        public string Operation { get; } = operation;

        public QueryId Id { get; set; }

        public ChannelWriter<ProviderRecord>? Providers { get; } = providers;

        public ChannelWriter<ValueRecord>? Values { get; init; }

        public bool IsCompleted => completion.Task.IsCompleted;

        public void Complete(QueryResult result)
        {
            Providers?.TryComplete();
            Values?.TryComplete();
            if (completion.TrySetResult(result) && activity is not null)
            {
                Observe(() =>
                {
                    activity.SetTag("kademlia.succeeded", result.Succeeded);
                    activity.SetTag("kademlia.hops", result.Hops);
                    activity.SetTag("kademlia.messages", result.MessagesSent);
                    activity.Dispose();
                });
            }
        }

        /// <inheritdoc/>
        void IInlineCompletable.Complete(object? result, Exception? error)
        {
            if (error is null)
            {
                Complete((QueryResult)result!);
            }
            else
            {
                Fail(error);
            }
        }

        /// <summary>Ends the caller's task as cancelled; false when it had already ended.</summary>
        public bool Cancel(CancellationToken token)
        {
            Providers?.TryComplete();
            Values?.TryComplete();
            if (!completion.TrySetCanceled(token))
            {
                return false;
            }

            Observe(() => activity?.Dispose());
            return true;
        }

        public void Fail(Exception exception)
        {
            Providers?.TryComplete(exception);
            Values?.TryComplete(exception);
            if (completion.TrySetException(exception))
            {
                Observe(() => activity?.Dispose());
            }
        }

        /// <summary>Runs tracing code, whose listeners may throw; they must not take the caller's result with them.</summary>
        private void Observe(Action action)
        {
            try
            {
                action();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                faults.ObserverFailed();
            }
        }
    }

    /// <summary>
    /// What the node advertises in its provider records: the configured endpoint, else the bound one when
    /// it is a specific reachable address. A wildcard bind, or loopback on a network where loopback is not
    /// a test address, advertises nothing until peers agree on the endpoint they observe.
    /// </summary>
    private static NodeEndpoint AdvertisedEndpoint(DhtNodeOptions options, IPEndPoint bound)
    {
        if (options.AdvertisedEndpoint is { } configured)
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

    /// <summary>
    /// The host's interface addresses when bound to a wildcard (the engine then knows an agreed public
    /// endpoint on one of them is not behind a NAT), else the bound address alone.
    /// </summary>
    private static IPAddress[] LocalAddresses(IPEndPoint bound)
    {
        if (!bound.Address.Equals(IPAddress.Any) && !bound.Address.Equals(IPAddress.IPv6Any))
        {
            return [bound.Address];
        }

        try
        {
            return [.. System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(i => i.GetIPProperties().UnicastAddresses)
                .Select(u => u.Address)];
        }
        catch (System.Net.NetworkInformation.NetworkInformationException)
        {
            return [];
        }
    }
}