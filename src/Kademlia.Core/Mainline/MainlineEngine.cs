using System.Net;
using System.Security.Cryptography;
using Kademlia.Engine.Internal;
using Kademlia.Identity;
using Kademlia.Lookup;
using Kademlia.Mainline.Internal;
using Kademlia.Routing;
using Kademlia.Sessions;

namespace Kademlia.Mainline;

/// <summary>
/// A BitTorrent Mainline DHT node (BEP 5, 32, 42, 43, 44) as a sans-io state machine: it is handed datagrams
/// and the time, and hands back datagrams to send and finished operations. No sockets, clocks or threads.
/// </summary>
/// <remarks>
/// <para>
/// It reuses the native mode's parts: the <see cref="Routing.RoutingTable"/> (160-bit IDs in the top bits of
/// a <see cref="NodeId"/>, k = 8, the same IP-diversity limits) and the <see cref="ClosestNodesLookup"/>
/// state machine (loose parallelism, the paper's final step, adaptive per-node timeouts where Mainline
/// implementations use fixed ones).
/// </para>
/// <para>
/// A node enters the table only after it answered one of our queries at its address, as in the native mode:
/// a node that queries us is pinged back first, unless it is read-only (BEP 43). Its ID must match its
/// address as BEP 42 says unless the address is loopback or private. Queries are rate-limited per address.
/// </para>
/// <para>Driving it: call <see cref="Receive"/> for every datagram and <see cref="HandleTimeout"/> at
/// <see cref="NextTimeout"/>; after each call drain <see cref="TryDequeueTransmit"/> and
/// <see cref="TryDequeueCompletion"/>. Not thread-safe.</para>
/// </remarks>
public sealed partial class MainlineEngine
{
    /// <summary>The <c>v</c> key this implementation sends: "KD" and version 0.1.</summary>
    public static readonly BencodeString ClientVersion = new([(byte)'K', (byte)'D', 0, 1]);

    private const int MaxPeersPerAnswer = 50;
    private const int MaxVerifications = 64;
    private const int MaxPending = 16_384;
    private static readonly TimeSpan MaintenanceInterval = TimeSpan.FromMinutes(1);

    private readonly MainlineEngineOptions _options;
    private readonly NetworkParameters _network;
    private readonly LookupOptions _lookupOptions;
    private readonly Random _random;
    private readonly WriteTokens _tokens;
    private readonly TokenBuckets<NodeEndpoint> _rateLimit;
    private readonly PeerStore _peers;
    private readonly ItemStore _items;
    private readonly AddressVote _vote;
    private readonly KrpcWant _want;
    private readonly Dictionary<ushort, PendingTransaction> _pending = [];
    private readonly Dictionary<long, MainlineOperation> _operations = [];
    private readonly Queue<MainlineTransmit> _transmits = new();
    private readonly Queue<MainlineOperationResult> _completions = new();
    private readonly HashSet<NodeEndpoint> _verifying = [];
    private readonly HashSet<NodeId> _livenessChecks = [];
    private RoutingTable _table;
    private ushort _nextTransaction;
    private long _nextOperation;
    private DateTimeOffset _nextMaintenance;
    private bool _addressDecided;
    private bool _refreshRunning;

    /// <summary>A node with the given <paramref name="options"/>, started at <paramref name="now"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public MainlineEngine(MainlineEngineOptions options, DateTimeOffset now)
        : this(options, now, new Random(RandomNumberGenerator.GetInt32(int.MaxValue)), CryptoRandomSource.Instance)
    {
    }

    /// <summary>A node whose IDs and transaction numbers come from <paramref name="random"/> and token secrets from <paramref name="secrets"/>: replayable in tests.</summary>
    internal MainlineEngine(MainlineEngineOptions options, DateTimeOffset now, Random random, IRandomSource secrets)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _network = options.ToNetworkParameters();
        _lookupOptions = new LookupOptions(options.K, options.Alpha, 1, options.MinRequestTimeout, options.MaxRequestTimeout);
        _random = random;
        _tokens = new WriteTokens(secrets, now);
        _rateLimit = new TokenBuckets<NodeEndpoint>(options.QueriesPerSecondPerAddress, options.QueryBurstPerAddress, 4096);
        _peers = new PeerStore(options.MaxInfoHashes, options.MaxPeersPerInfoHash, options.PeerLifetime);
        _items = new ItemStore(options.MaxItems, options.MaxItemBytes, options.ItemLifetime);
        _vote = new AddressVote(options.ExternalAddressVotes);
        _want = options.AddressFamilies == (KrpcWant.Nodes4 | KrpcWant.Nodes6) ? options.AddressFamilies : KrpcWant.None;
        Id = options.Id ?? MainlineId.Random(random);
        _table = new RoutingTable(Id.ToNodeId(), _network);
        _nextTransaction = (ushort)random.Next(ushort.MaxValue + 1);
        _nextMaintenance = now + MaintenanceInterval;
    }

    /// <summary>This node's ID. Replaced once by a BEP 42 ID when it was not configured and the external address is agreed.</summary>
    public MainlineId Id { get; private set; }

    /// <summary>The external address answering nodes agree on (BEP 42 <c>ip</c>), or null before they do.</summary>
    public IPAddress? ExternalAddress { get; private set; }

    /// <summary>The settings.</summary>
    public MainlineEngineOptions Options => _options;

    /// <summary>The routing table (k = 8, 160-bit IDs in the top bits of <see cref="NodeId"/>).</summary>
    public RoutingTable RoutingTable => _table;

    /// <summary>Info-hashes with announced peers held here.</summary>
    public int StoredInfoHashes => _peers.InfoHashCount;

    /// <summary>BEP 44 items held here.</summary>
    public int StoredItems => _items.Count;

    /// <summary>Operations not finished yet.</summary>
    public int RunningOperations => _operations.Count;

    /// <summary>Counters of what was received and dropped.</summary>
    public MainlineStatistics Statistics { get; } = new();

    /// <summary>When <see cref="HandleTimeout"/> is next due.</summary>
    public DateTimeOffset NextTimeout
    {
        get
        {
            var next = _tokens.NextRotation < _nextMaintenance ? _tokens.NextRotation : _nextMaintenance;
            foreach (var pending in _pending.Values)
            {
                next = pending.Expires < next ? pending.Expires : next;
            }

            foreach (var operation in _operations.Values)
            {
                if (operation.WakeAt is { } wake && wake < next) next = wake;
            }

            return next;
        }
    }

    /// <summary>The next datagram to send, if any.</summary>
    public bool TryDequeueTransmit(out MainlineTransmit transmit) => _transmits.TryDequeue(out transmit);

    /// <summary>The next finished operation, if any.</summary>
    public bool TryDequeueCompletion(out MainlineOperationResult result) => _completions.TryDequeue(out result!);

    /// <summary>Runs what is due at <paramref name="now"/>: token rotation, request timeouts, lookups waiting, store expiry, bucket refresh.</summary>
    public void HandleTimeout(DateTimeOffset now)
    {
        if (now >= _tokens.NextRotation)
        {
            _tokens.HandleTimeout(now);
        }

        List<(ushort Id, PendingTransaction Pending)>? expired = null;
        foreach (var (id, pending) in _pending)
        {
            if (pending.Expires <= now) (expired ??= []).Add((id, pending));
        }

        if (expired is not null)
        {
            foreach (var (id, pending) in expired)
            {
                _pending.Remove(id);
                OnExpired(pending, now);
            }
        }

        foreach (var operation in _operations.Values.ToList())
        {
            if (operation.WakeAt is { } wake && wake <= now && _operations.ContainsKey(operation.Id) && operation.Phase == OperationPhase.Lookup)
            {
                Pump(operation, now);
            }
        }

        if (now >= _nextMaintenance)
        {
            _nextMaintenance = now + MaintenanceInterval;
            _peers.Expire(now);
            _items.Expire(now);
            RefreshBucket(now);
        }
    }

    /// <summary>Asks <paramref name="nodes"/> (routers or known nodes; their IDs need not be known) for our neighbourhood, then looks our own ID up.</summary>
    public long StartBootstrap(IEnumerable<NodeEndpoint> nodes, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var operation = NewOperation(MainlineOperationKind.Bootstrap, Id, now);
        operation.Phase = OperationPhase.Probe;
        foreach (var node in nodes.Distinct())
        {
            SendQuery(node, null, TransactionPurpose.Probe, operation, new FindNodeQuery(Id, Id, _want), now, now + _options.MaxRequestTimeout);
            operation.Outstanding++;
        }

        if (operation.Outstanding == 0)
        {
            StartLookup(operation, now);
        }

        return operation.Id;
    }

    /// <summary>Pings <paramref name="node"/>; if it answers it enters the table and the result names it in <see cref="MainlineOperationResult.Closest"/>.</summary>
    public long StartPing(NodeEndpoint node, DateTimeOffset now)
    {
        var operation = NewOperation(MainlineOperationKind.Ping, default, now);
        operation.Phase = OperationPhase.Store;
        operation.Outstanding = 1;
        SendQuery(node, null, TransactionPurpose.Ping, operation, new PingQuery(Id), now, now + _options.MaxRequestTimeout);
        return operation.Id;
    }

    /// <summary>Looks up the nodes closest to <paramref name="target"/>.</summary>
    public long StartFindNode(MainlineId target, DateTimeOffset now) => StartLookup(NewOperation(MainlineOperationKind.FindNode, target, now), now);

    /// <summary>Looks up the peers of <paramref name="infoHash"/> (BEP 5 <c>get_peers</c>).</summary>
    public long StartGetPeers(MainlineId infoHash, DateTimeOffset now) => StartLookup(NewOperation(MainlineOperationKind.GetPeers, infoHash, now), now);

    /// <summary>
    /// Announces this node as a peer of <paramref name="infoHash"/> on the closest nodes: <c>get_peers</c> for
    /// their tokens, then <c>announce_peer</c>. A null <paramref name="port"/> sends <c>implied_port</c>, so
    /// the storing nodes take the UDP source port.
    /// </summary>
    public long StartAnnounce(MainlineId infoHash, ushort? port, DateTimeOffset now) =>
        StartLookup(NewOperation(MainlineOperationKind.Announce, infoHash, now, announcePort: port), now);

    /// <summary>
    /// Looks up the BEP 44 item stored under <paramref name="target"/>. An immutable item ends the lookup as
    /// soon as one verifies; for a mutable one (verified with <paramref name="salt"/>) the whole lookup runs
    /// and the highest sequence number wins.
    /// </summary>
    public long StartGetItem(MainlineId target, BencodeString? salt, DateTimeOffset now) =>
        StartLookup(NewOperation(MainlineOperationKind.GetItem, target, now, salt: salt), now);

    /// <summary>Stores <paramref name="item"/> on the closest nodes: <c>get</c> for their tokens, then <c>put</c> with the optional <paramref name="cas"/>.</summary>
    /// <exception cref="ArgumentException">The item breaks a BEP 44 rule (too big, salt too long, bad signature).</exception>
    public long StartPutItem(MainlineItem item, long? cas, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (MainlineItemRules.CheckPut(item) is { } refused)
        {
            throw new ArgumentException($"The item would be refused with error {(int)refused} ({refused}).", nameof(item));
        }

        if (cas is not null && item is not MutableItem)
        {
            throw new ArgumentException("cas applies to mutable items only.", nameof(cas));
        }

        return StartLookup(NewOperation(MainlineOperationKind.PutItem, item.Target, now, item: item, cas: cas), now);
    }

    /// <summary>Abandons an operation: no completion is reported for it and late answers are ignored.</summary>
    public bool Cancel(long operationId) => _operations.Remove(operationId);

    private MainlineOperation NewOperation(
        MainlineOperationKind kind,
        MainlineId target,
        DateTimeOffset now,
        bool reported = true,
        ushort? announcePort = null,
        BencodeString? salt = null,
        MainlineItem? item = null,
        long? cas = null)
    {
        var operation = new MainlineOperation(++_nextOperation, kind, target, now, reported)
        {
            AnnouncePort = announcePort,
            Salt = salt ?? (item as MutableItem)?.Salt ?? BencodeString.Empty,
            Item = item,
            Cas = cas,
        };
        _operations.Add(operation.Id, operation);
        return operation;
    }

    private long StartLookup(MainlineOperation operation, DateTimeOffset now)
    {
        var seeds = new List<NodeInfo>();
        foreach (var contact in _table.FindClosest(operation.Target.ToNodeId(), _options.K))
        {
            seeds.Add(contact.ToNodeInfo());
        }

        seeds.AddRange(operation.Seeds);
        operation.Phase = OperationPhase.Lookup;
        operation.Lookup = new ClosestNodesLookup(operation.Target.ToNodeId(), Id.ToNodeId(), seeds, _lookupOptions, TimeoutFor);
        Pump(operation, now);
        return operation.Id;
    }

    private TimeSpan? TimeoutFor(NodeInfo node) =>
        _table.Find(node.Id) is { SmoothedRtt: not null } contact ? contact.RequestTimeout(_options.MinRequestTimeout, _options.MaxRequestTimeout) : null;

    private void Pump(MainlineOperation operation, DateTimeOffset now)
    {
        var lookup = operation.Lookup!;
        while (true)
        {
            var step = lookup.Next(now);
            switch (step.Kind)
            {
                case LookupStepKind.Send:
                    SendQuery(step.Peer.Endpoint, step.Peer.Id, TransactionPurpose.Lookup, operation, LookupQuery(operation), now, now + (2 * _options.MaxRequestTimeout));
                    continue;
                case LookupStepKind.Waiting:
                    operation.WakeAt = step.WakeAt;
                    return;
                default:
                    operation.WakeAt = null;
                    OnLookupFinished(operation, now);
                    return;
            }
        }
    }

    private KrpcQuery LookupQuery(MainlineOperation operation) => operation.Kind switch
    {
        MainlineOperationKind.GetPeers or MainlineOperationKind.Announce => new GetPeersQuery(Id, operation.Target, _want),
        MainlineOperationKind.GetItem or MainlineOperationKind.PutItem => new GetItemQuery(Id, operation.Target),
        _ => new FindNodeQuery(Id, operation.Target, _want),
    };

    private void OnLookupFinished(MainlineOperation operation, DateTimeOffset now)
    {
        _table.MarkRefreshed(operation.Target.ToNodeId(), now);
        if (operation.Kind is not (MainlineOperationKind.Announce or MainlineOperationKind.PutItem))
        {
            Complete(operation, now);
            return;
        }

        operation.Phase = OperationPhase.Store;
        foreach (var answered in operation.Lookup!.Result)
        {
            if (!operation.Tokens.TryGetValue(answered.Node.Id, out var token))
            {
                continue;
            }

            KrpcQuery store = operation.Kind == MainlineOperationKind.Announce
                ? new AnnouncePeerQuery(Id, operation.Target, operation.AnnouncePort ?? 0, operation.AnnouncePort is null, token)
                : new PutItemQuery(Id, token, operation.Item!, operation.Cas);
            // The longest timeout, not the RTT estimate: a store is not retried, and an acknowledgement that
            // arrives late on a loaded machine still counts (a dead node costs the operation this much at the end).
            SendQuery(answered.Node.Endpoint, answered.Node.Id, TransactionPurpose.Store, operation, store, now, now + _options.MaxRequestTimeout);
            operation.Outstanding++;
        }

        if (operation.Outstanding == 0)
        {
            Complete(operation, now);
        }
    }

    private void Complete(MainlineOperation operation, DateTimeOffset now)
    {
        if (!_operations.Remove(operation.Id))
        {
            return;
        }

        if (!operation.Reported)
        {
            _refreshRunning = false;
            return;
        }

        var closest = new List<MainlineNode>(operation.Answered);
        if (operation.Lookup is { } lookup)
        {
            foreach (var candidate in lookup.Result)
            {
                closest.Add(new MainlineNode(MainlineId.FromNodeId(candidate.Node.Id), candidate.Node.Endpoint));
            }
        }

        _completions.Enqueue(new MainlineOperationResult
        {
            OperationId = operation.Id,
            Kind = operation.Kind,
            Target = operation.Target,
            Peers = [.. operation.Peers],
            Item = operation.Found,
            StoredCount = operation.Stored,
            Errors = operation.Errors,
            Closest = closest,
            QueriesSent = operation.QueriesSent,
            Responses = operation.Responses,
            FirstFoundAfter = operation.FirstFoundAt - operation.Started,
            Elapsed = now - operation.Started,
        });
    }

    private void RefreshBucket(DateTimeOffset now)
    {
        if (_refreshRunning || _table.Count == 0)
        {
            return;
        }

        foreach (var index in _table.BucketsDueForRefresh(now))
        {
            if (index >= MainlineId.Bits)
            {
                break;
            }

            var target = MainlineId.FromNodeId(NodeId.RandomInBucket(Id.ToNodeId(), index, _random));
            _refreshRunning = true;
            StartLookup(NewOperation(MainlineOperationKind.FindNode, target, now, reported: false), now);
            return;
        }
    }

    private void SendQuery(NodeEndpoint to, NodeId? expectedId, TransactionPurpose purpose, MainlineOperation? operation, KrpcQuery query, DateTimeOffset now, DateTimeOffset expires)
    {
        if (_pending.Count >= MaxPending)
        {
            Statistics.QueriesNotSent++;
            return;
        }

        do
        {
            _nextTransaction++;
        }
        while (_pending.ContainsKey(_nextTransaction));

        var id = _nextTransaction;
        _pending.Add(id, new PendingTransaction(to, expectedId, purpose, operation, now, expires));
        if (operation is not null)
        {
            operation.QueriesSent++;
        }

        var transaction = new BencodeString([(byte)(id >> 8), (byte)id]);
        Send(to, new KrpcMessage(transaction, query) { ReadOnly = _options.ReadOnly });
        Statistics.QueriesSent++;
    }

    private void Send(NodeEndpoint to, KrpcMessage message) =>
        _transmits.Enqueue(new MainlineTransmit(to, KrpcCodec.Encode(message with { ClientVersion = ClientVersion })));
}
