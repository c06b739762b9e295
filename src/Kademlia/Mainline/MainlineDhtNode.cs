using System.Net;
using System.Net.Sockets;
using Kademlia.Identity;
using Kademlia.Internal;
using NSec.Cryptography;

namespace Kademlia.Mainline;

/// <summary>
/// A BitTorrent Mainline DHT node on a UDP socket: a <see cref="MainlineEngine"/> driven by a receive loop and a
/// timer. Finds and announces peers (BEP 5) and gets and puts BEP 44 items.
/// </summary>
/// <remarks>
/// Every operation runs a lookup over the routing table, so call <see cref="BootstrapAsync(CancellationToken)"/>
/// first (or <see cref="PingAsync"/> known nodes). Mainline traffic is plain UDP: see docs/MAINLINE.md for
/// what that does and does not guarantee. Thread-safe.
/// </remarks>
public sealed class MainlineDhtNode : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Socket _socket;
    private readonly MainlineEngine _engine;
    private readonly MainlineDhtNodeOptions _options;
    private readonly Dictionary<long, TaskCompletionSource<MainlineOperationResult>> _waiting = [];
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly TimeProvider _time = TimeProvider.System;
    private Task _receiving = Task.CompletedTask;
    private Task _timing = Task.CompletedTask;
    private long _sendFailures;
    private int _disposed;

    private MainlineDhtNode(Socket socket, MainlineDhtNodeOptions options, MainlineEngineOptions engineOptions)
    {
        _socket = socket;
        _options = options;
        _engine = new MainlineEngine(engineOptions, _time.GetUtcNow());
        LocalEndpoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    /// <summary>Binds the socket and starts the node. It contacts nobody until asked to.</summary>
    /// <exception cref="SocketException">The endpoint cannot be bound.</exception>
    public static Task<MainlineDhtNode> StartAsync(MainlineDhtNodeOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        var families = options.Bind.AddressFamily == AddressFamily.InterNetwork ? KrpcWant.Nodes4
            : options.Bind.Address.Equals(IPAddress.IPv6Any) ? KrpcWant.Nodes4 | KrpcWant.Nodes6 : KrpcWant.Nodes6;
        var engineOptions = options.Engine with { AddressFamilies = families };
        engineOptions.Validate();
        var socket = new Socket(options.Bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (families == (KrpcWant.Nodes4 | KrpcWant.Nodes6))
            {
                socket.DualMode = true;
            }

            socket.Bind(options.Bind);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var node = new MainlineDhtNode(socket, options, engineOptions);
        node._receiving = Task.Run(node.ReceiveLoopAsync, CancellationToken.None);
        node._timing = Task.Run(node.TimerLoopAsync, CancellationToken.None);
        return Task.FromResult(node);
    }

    /// <summary>The bound UDP endpoint.</summary>
    public IPEndPoint LocalEndpoint { get; }

    /// <summary>The node's current ID (BEP 42 may replace a random one once the external address is agreed).</summary>
    public MainlineId Id
    {
        get
        {
            lock (_gate) return _engine.Id;
        }
    }

    /// <summary>Contacts in the routing table.</summary>
    public int RoutingTableCount
    {
        get
        {
            lock (_gate) return _engine.RoutingTable.Count;
        }
    }

    /// <summary>The external address answering nodes agree on, or null before they do.</summary>
    public IPAddress? ExternalAddress
    {
        get
        {
            lock (_gate) return _engine.ExternalAddress;
        }
    }

    /// <summary>The contacts of the routing table.</summary>
    public IReadOnlyList<MainlineNode> RoutingTableContacts()
    {
        lock (_gate)
        {
            return [.. _engine.RoutingTable.Contacts.Select(c => new MainlineNode(MainlineId.FromNodeId(c.Id), c.Endpoint))];
        }
    }

    /// <summary>The engine's counters, copied now.</summary>
    public MainlineStatistics Statistics
    {
        get
        {
            lock (_gate)
            {
                var s = _engine.Statistics;
                return new MainlineStatistics
                {
                    DatagramsReceived = s.DatagramsReceived,
                    Malformed = s.Malformed,
                    QueriesAnswered = s.QueriesAnswered,
                    RateLimited = s.RateLimited,
                    IgnoredWhileReadOnly = s.IgnoredWhileReadOnly,
                    ReadOnlyQueriers = s.ReadOnlyQueriers,
                    NodeIdsRefused = s.NodeIdsRefused,
                    Unmatched = s.Unmatched,
                    QueriesSent = s.QueriesSent,
                    QueriesNotSent = s.QueriesNotSent,
                };
            }
        }
    }

    /// <summary>Datagrams the socket refused to send.</summary>
    public long SendFailures => Interlocked.Read(ref _sendFailures);

    /// <summary>Asks the configured <see cref="MainlineDhtNodeOptions.BootstrapNodes"/> for our neighbourhood, then looks our own ID up.</summary>
    /// <exception cref="SocketException">A bootstrap host name does not resolve.</exception>
    public async Task<MainlineOperationResult> BootstrapAsync(CancellationToken cancellationToken = default)
    {
        var endpoints = new List<IPEndPoint>();
        foreach (var entry in _options.BootstrapNodes)
        {
            endpoints.AddRange(await ResolveAsync(entry, cancellationToken).ConfigureAwait(false));
        }

        return await BootstrapAsync(endpoints, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks <paramref name="nodes"/> for our neighbourhood, then looks our own ID up.</summary>
    public Task<MainlineOperationResult> BootstrapAsync(IEnumerable<IPEndPoint> nodes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var endpoints = nodes.Where(Reachable).Select(NodeEndpoint.FromIPEndPoint).ToList();
        return RunAsync((engine, now) => engine.StartBootstrap(endpoints, now), cancellationToken);
    }

    /// <summary>Pings <paramref name="node"/>; it enters the routing table if it answers (<see cref="MainlineOperationResult.Closest"/> names it).</summary>
    public Task<MainlineOperationResult> PingAsync(IPEndPoint node, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        var endpoint = NodeEndpoint.FromIPEndPoint(node);
        return RunAsync((engine, now) => engine.StartPing(endpoint, now), cancellationToken);
    }

    /// <summary>Finds the nodes closest to <paramref name="target"/> (<c>find_node</c>).</summary>
    public Task<MainlineOperationResult> FindNodeAsync(MainlineId target, CancellationToken cancellationToken = default) =>
        RunAsync((engine, now) => engine.StartFindNode(target, now), cancellationToken);

    /// <summary>Finds the peers of <paramref name="infoHash"/> (BEP 5 <c>get_peers</c>): <see cref="MainlineOperationResult.Peers"/>.</summary>
    public Task<MainlineOperationResult> GetPeersAsync(MainlineId infoHash, CancellationToken cancellationToken = default) =>
        RunAsync((engine, now) => engine.StartGetPeers(infoHash, now), cancellationToken);

    /// <summary>
    /// Announces this node as a peer of <paramref name="infoHash"/> on the closest nodes. A null
    /// <paramref name="port"/> lets them take this socket's port as they see it (<c>implied_port</c>).
    /// </summary>
    public Task<MainlineOperationResult> AnnouncePeerAsync(MainlineId infoHash, int? port = null, CancellationToken cancellationToken = default)
    {
        if (port is { } p)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(p, 1, nameof(port));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(p, ushort.MaxValue, nameof(port));
        }

        return RunAsync((engine, now) => engine.StartAnnounce(infoHash, (ushort?)port, now), cancellationToken);
    }

    /// <summary>Stores an immutable BEP 44 item; its target (SHA-1 of the bencoded value) is <see cref="MainlineOperationResult.Target"/>.</summary>
    /// <exception cref="ArgumentException">The encoded value is over 1,000 bytes.</exception>
    public Task<MainlineOperationResult> PutImmutableAsync(BencodeValue value, CancellationToken cancellationToken = default)
    {
        var item = new ImmutableItem(value);
        return RunAsync((engine, now) => engine.StartPutItem(item, null, now), cancellationToken);
    }

    /// <summary>Gets the immutable item stored under <paramref name="target"/>; <see cref="MainlineOperationResult.Item"/> is null when none was found.</summary>
    public Task<MainlineOperationResult> GetImmutableAsync(MainlineId target, CancellationToken cancellationToken = default) =>
        RunAsync((engine, now) => engine.StartGetItem(target, null, now), cancellationToken);

    /// <summary>
    /// Signs and stores a mutable BEP 44 item under <paramref name="key"/>'s public key and <paramref name="salt"/>.
    /// With <paramref name="cas"/>, storing nodes refuse it (301) unless their stored sequence number equals it.
    /// </summary>
    /// <exception cref="ArgumentException">The key is not Ed25519, the value is over 1,000 bytes or the salt over 64.</exception>
    public Task<MainlineOperationResult> PutMutableAsync(
        Key key,
        BencodeValue value,
        long sequence,
        ReadOnlyMemory<byte> salt = default,
        long? cas = null,
        CancellationToken cancellationToken = default)
    {
        var item = MutableItem.Sign(key, new BencodeString(salt.Span), sequence, value);
        return RunAsync((engine, now) => engine.StartPutItem(item, cas, now), cancellationToken);
    }

    /// <summary>Gets the mutable item of <paramref name="publicKey"/> and <paramref name="salt"/> with the highest sequence number found.</summary>
    public Task<MainlineOperationResult> GetMutableAsync(NodePublicKey publicKey, ReadOnlyMemory<byte> salt = default, CancellationToken cancellationToken = default)
    {
        var saltString = new BencodeString(salt.Span);
        var target = MutableItem.ComputeTarget(publicKey, salt.Span);
        return RunAsync((engine, now) => engine.StartGetItem(target, saltString, now), cancellationToken);
    }

    /// <summary>Stops the node: operations still running end with <see cref="ObjectDisposedException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await Task.WhenAll(_receiving, _timing).ConfigureAwait(false);
        List<TaskCompletionSource<MainlineOperationResult>> abandoned;
        lock (_gate)
        {
            abandoned = [.. _waiting.Values];
            _waiting.Clear();
        }

        foreach (var waiter in abandoned)
        {
            waiter.TrySetException(new ObjectDisposedException(nameof(MainlineDhtNode)));
        }

        _stopping.Dispose();
        _wake.Dispose();
    }

    private async Task<MainlineOperationResult> RunAsync(Func<MainlineEngine, DateTimeOffset, long> start, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        var waiter = new TaskCompletionSource<MainlineOperationResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        long id;
        List<MainlineOperationResult> finished;
        lock (_gate)
        {
            // Checked again under the lock: DisposeAsync collects the waiters under it, so none is left behind.
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            id = start(_engine, _time.GetUtcNow());
            _waiting.Add(id, waiter);
            finished = Drain();
        }

        Complete(finished);
        Wake();
        await using var registration = cancellationToken.Register(() =>
        {
            lock (_gate)
            {
                _engine.Cancel(id);
                _waiting.Remove(id);
            }

            waiter.TrySetCanceled(cancellationToken);
        }).ConfigureAwait(false);
        return await waiter.Task.ConfigureAwait(false);
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[65_536];
        var any = UdpReceive.AnySender(_socket);
        // An ICMP error reported on the socket (port unreachable) has nothing to do with the next datagram.
        while (await UdpReceive.NextAsync(_socket, buffer, any, static _ => { }, _stopping.Token).ConfigureAwait(false) is var (length, from))
        {
            List<MainlineOperationResult> finished;
            lock (_gate)
            {
                _engine.Receive(buffer.AsSpan(0, length), NodeEndpoint.FromIPEndPoint(from), _time.GetUtcNow());
                finished = Drain();
            }

            Complete(finished);
            Wake();
        }
    }

    private async Task TimerLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TimeSpan delay;
            List<MainlineOperationResult> finished;
            lock (_gate)
            {
                var now = _time.GetUtcNow();
                if (_engine.NextTimeout <= now)
                {
                    _engine.HandleTimeout(now);
                }

                finished = Drain();
                delay = _engine.NextTimeout - now;
            }

            Complete(finished);
            delay = delay < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : delay > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : delay;
            try
            {
                await _wake.WaitAsync(delay, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }

    /// <summary>Sends what the engine queued and collects finished operations. Called under the lock.</summary>
    private List<MainlineOperationResult> Drain()
    {
        while (_engine.TryDequeueTransmit(out var transmit))
        {
            try
            {
                _socket.SendTo(transmit.Datagram, SocketFlags.None, transmit.To.ToIPEndPoint());
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                Interlocked.Increment(ref _sendFailures);
            }
        }

        var finished = new List<MainlineOperationResult>();
        while (_engine.TryDequeueCompletion(out var result))
        {
            finished.Add(result);
        }

        return finished;
    }

    private void Complete(List<MainlineOperationResult> finished)
    {
        foreach (var result in finished)
        {
            TaskCompletionSource<MainlineOperationResult>? waiter;
            lock (_gate)
            {
                _waiting.Remove(result.OperationId, out waiter);
            }

            waiter?.TrySetResult(result);
        }
    }

    private void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0) _wake.Release();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private bool Reachable(IPEndPoint endpoint) =>
        endpoint.AddressFamily == _socket.AddressFamily || (_socket.AddressFamily == AddressFamily.InterNetworkV6 && _socket.DualMode);

    private async Task<IEnumerable<IPEndPoint>> ResolveAsync(string entry, CancellationToken cancellationToken)
    {
        if (IPEndPoint.TryParse(entry, out var literal) && literal.Port != 0)
        {
            return [literal];
        }

        var colon = entry.LastIndexOf(':');
        if (colon <= 0 || !ushort.TryParse(entry.AsSpan(colon + 1), out var port) || port == 0)
        {
            throw new ArgumentException($"A bootstrap node is host:port, not '{entry}'.", nameof(entry));
        }

        var addresses = await Dns.GetHostAddressesAsync(entry[..colon], cancellationToken).ConfigureAwait(false);
        return addresses.Select(a => new IPEndPoint(a, port)).Where(Reachable);
    }
}
