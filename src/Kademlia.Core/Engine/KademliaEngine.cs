using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Security.Cryptography;
using Kademlia.Engine.Internal;
using Kademlia.Identity;
using Kademlia.Lookup;
using Kademlia.Records;
using Kademlia.Routing;
using Kademlia.Sessions;
using Kademlia.Wire;

namespace Kademlia.Engine;

/// <summary>
/// The Kademlia node as a sans-io state machine: it owns the routing table, the record store, the
/// sessions and the operations in progress, and never touches a socket, a clock or a thread.
/// </summary>
/// <remarks>
/// <para>Inputs: <see cref="HandleDatagram"/> for every datagram received, <see cref="HandleTimeout"/>
/// whenever <see cref="NextTimeout"/> has passed, and the operations (<see cref="Bootstrap"/>,
/// <see cref="Ping(DateTimeOffset, NodeInfo)"/>, <see cref="FindNode"/>, <see cref="Put"/>, <see cref="Get"/>,
/// <see cref="Announce"/>, <see cref="FindProviders"/>, <see cref="SendAppRequest"/>), each returning a <see cref="QueryId"/>;
/// application messages (<see cref="OpenAppChannel"/>, <see cref="SendAppDatagram"/>, <see cref="ReplyApp"/>).</para>
/// <para>Outputs, to poll after every input in this order: <see cref="PollTransmit(Span{byte}, out EndPoint?, out int)"/> until false (send
/// each datagram), <see cref="PollEvent"/> until false (operation results and table changes), then
/// <see cref="NextTimeout"/> to arm the timer.</para>
/// <para>Every datagram is authenticated by the session layer before anything else looks at it; a node
/// enters the routing table only after such an exchange and only if its proof-of-work holds. Bad input
/// is dropped and counted by reason (<see cref="Statistics"/>), never thrown. Not thread-safe: one
/// loop drives one engine.</para>
/// </remarks>
public sealed partial class KademliaEngine : IDisposable, IQueryContext
{
    // Each field has one owner. The parts (Internal/) own their state; the engine routes events between
    // them. Scratch buffers: _received belongs to the receive path (the session layer's output for the
    // datagram being handled), _plain and _sealed to the send path (one message being encoded and
    // sealed); serving an answer never writes over the request it answers.
    private readonly NodeIdentity _identity;
    private readonly EngineOptions _options;
    private readonly Random? _random;
    private readonly RequestIdPool _requestIds = new();
    private readonly SessionIdentity _sessionIdentity;
    private readonly SessionManager _sessions;
    private readonly byte[] _received = new byte[WireLimits.MaxPacketSize];
    private readonly byte[] _plain = new byte[WireLimits.MaxPacketSize];
    private readonly byte[] _sealed = new byte[WireLimits.MaxPacketSize];
    private readonly Outbox _outbox;
    private readonly Queue<EngineEvent> _events = new();
    private readonly Queue<PingCompletion> _pingCompletions = new();
    private readonly Dictionary<QueryId, EngineQuery> _queries = [];
    private readonly Stack<PingQuery> _sparePings = new();
    private readonly QueryWakeups _wakeups = new();
    private readonly List<QueryId> _dueQueries = [];
    private readonly OutstandingRequests _requests = new();
    private readonly Dictionary<PeerKey, Queue<(ulong RequestId, byte[] Plaintext, bool OneWay)>> _awaitingSession = [];
    private readonly PeerVerification _verification;
    private readonly DropCounters _drops = new();

    /// <summary>When another network's datagram was last dropped (see <see cref="WrongNetworkSeen"/>).</summary>
    private DateTimeOffset? _lastWrongNetworkAt;
    private readonly RateLimiter _requestLimiter;
    private readonly RateLimiter _handshakeLimiter;
    private readonly HandshakeLoad _load;
    private readonly AddressValidation _addresses;
    private readonly PublishJobs _jobs;
    private readonly List<PublishJob> _dueJobs = [];
    private readonly ServingRules _serving;
    private readonly ExternalAddressVote _externalAddress;
    private readonly ReachabilityProbes _reachability = new();
    private readonly RateLimiter _probeLimiter;
    private readonly RateLimiter _forwarderLimiter;
    private readonly RateLimiter _dialLimiter;
    private readonly TokenBuckets<ulong> _initiationBudget;
    private readonly Dictionary<ulong, System.Net.IPEndPoint> _pathChallenges = [];
    private readonly AppMessaging _apps;
    private DateTimeOffset _nextAddressCheck = DateTimeOffset.MinValue;
    private DateTimeOffset _nextKeepalive = DateTimeOffset.MinValue;
    private bool _tableToldWeAreClient;
    private QueryId? _rebootstrap;
    private long _nextQueryId;
    private long _packetsIn, _bytesIn, _requestsServed, _requestsSent, _timeouts, _queriesStarted;

    /// <summary>Creates an engine for <paramref name="identity"/> (borrowed; dispose it yourself).</summary>
    /// <param name="identity">This node's key pair and proof-of-work.</param>
    /// <param name="options">Settings; <see cref="EngineOptions.Network"/> gives the network.</param>
    /// <param name="store">Where records are kept; a <c>MemoryRecordStore</c> when null.</param>
    /// <param name="random">
    /// A seeded generator for reproducible runs (the simulator): request IDs, refresh targets and the session layer's
    /// ephemeral keys, indexes and cookie secrets all come from it, so it must never be given in production.
    /// Cryptographic randomness when null.
    /// </param>
    /// <exception cref="ArgumentException">The identity does not meet the network's proof-of-work.</exception>
    public KademliaEngine(NodeIdentity identity, EngineOptions options, IRecordStore? store = null, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(options);
        options.Network.Validate();
        if (!identity.MeetsProofOfWork(options.Network))
        {
            throw new ArgumentException("The identity does not meet the network's proof-of-work.", nameof(identity));
        }

        if (options.AdvertisedEndpoint.IsLoopback && !options.Network.ExemptLoopbackFromDiversityLimits)
        {
            throw new ArgumentException(
                $"The advertised endpoint {options.AdvertisedEndpoint} is a loopback address, which nobody else can reach on network '{options.Network.Name}'. " +
                "Advertise a reachable address, or leave it unset to advertise the endpoint peers observe.",
                nameof(options));
        }

        _identity = identity;
        _options = options;
        _random = random;
        Routing = new RoutingTable(identity.Id, options.Network);
        Store = store ?? new MemoryRecordStore(identity.Id, options.StoreLimits);
        LookupOptions = LookupOptions.From(options.Network);
        _sessionIdentity = SessionIdentity.FromEd25519Seed(ExportSeed(identity), identity.PowNonce);
        var network = options.Network;
        _sessions = new SessionManager(_sessionIdentity, new SessionOptions
        {
            NetworkId = network.NetworkId,
            MaxPeers = options.MaxSessions,
            // No peer state for a key that fails proof-of-work: cheap keys cannot fill the table.
            AcceptIdentity = (key, nonce) => new NodeInfo(new NodePublicKey(key.Span), nonce, default).MeetsProofOfWork(network),
            // New peer entries are rate limited per prefix, each loopback endpoint apart on test networks.
            PrefixOf = from => from is System.Net.IPEndPoint ip ? NodeEndpoint.FromIPEndPoint(ip).PrefixKey(network.ExemptLoopbackFromDiversityLimits) : 0,
            // A relayed packet takes a session off its direct path only once that path has gone silent.
            IsIndirect = RelayPaths.IsRelayed,
        }, random is null ? null : new GeneratorRandomSource(random)); // one seed for every choice, the session keys too
        _requestLimiter = new RateLimiter(options.RequestsPerSecondPerSource, options.RequestBurstPerSource, options.MaxTrackedSources);
        _handshakeLimiter = new RateLimiter(options.HandshakesPerSecondPerSource, options.HandshakesPerSecondPerSource * 2, options.MaxTrackedSources);
        _load = new HandshakeLoad(options.HandshakeLoadPerSecond, options.HandshakeLoadPerSecond / 2, 0.5, 0.25, options.HandshakeLoadHold);
        _addresses = new AddressValidation(options.MaxTrackedSources);
        _outbox = new Outbox(_addresses, _drops);
        _outbox.Divert = RelayOut;
        _verification = new PeerVerification(options.Network, options.MaxSessions);
        _jobs = new PublishJobs(identity.Id, options);
        _serving = new ServingRules(identity.Id, options, Routing, Store);
        _externalAddress = new ExternalAddressVote(options.Network.ExemptLoopbackFromDiversityLimits);
        _probeLimiter = new RateLimiter(ProbesPerSecondPerSource, 2, options.MaxTrackedSources);
        _forwarderLimiter = new RateLimiter(DialsPerSecondPerForwarder, 5, options.MaxTrackedSources);
        _dialLimiter = new RateLimiter(DialsPerSecond, 10, 1);
        _initiationBudget = new TokenBuckets<ulong>(UnverifiedInitiationsPerSecondPerPrefix, UnverifiedInitiationBurstPerPrefix, options.MaxTrackedSources);
        _apps = new AppMessaging(options.AppMessagesPerSecondPerPeer, options.AppMessageBurstPerPeer, options.MaxTrackedSources);
        _rendezvousClients = new RendezvousClients(options.MaxSessions);
        _circuits = new RelayCircuits(options.Relay);
        _relayPaths = new RelayPaths(options.MaxSessions);
        _punchRequestLimiter = new RateLimiter(PunchRequestsPerSecondPerSource, 5, options.MaxTrackedSources);
        _punchTargetLimiter = new TokenBuckets<NodeId>(PunchNotifiesPerSecondPerTarget, 3, options.MaxSessions);
        _tableToldWeAreClient = IsClient; // a client from the start never entered a table: nobody to tell
    }

    /// <summary>This node's ID.</summary>
    public NodeId Self => _identity.Id;

    /// <summary>This node's identity.</summary>
    public NodeIdentity Identity => _identity;

    /// <summary>The routing table.</summary>
    public RoutingTable Routing { get; }

    /// <summary>The record store.</summary>
    public IRecordStore Store { get; }

    /// <summary>The settings.</summary>
    public EngineOptions Options => _options;

    /// <summary>The lookup settings implied by the network.</summary>
    public LookupOptions LookupOptions { get; }

    /// <summary>
    /// This node's contact as others should see it: at <see cref="EngineOptions.AdvertisedEndpoint"/> when
    /// set, else at the endpoint peers observe once they agree (<see cref="ExternalEndpoint"/>), else unspecified.
    /// </summary>
    public NodeInfo LocalInfo => NodeInfo.Of(_identity, ReachableEndpoint);

    /// <summary>The public endpoint peers from distinct prefixes agree they see this node at, or null before they do.</summary>
    public NodeEndpoint? ExternalEndpoint => _externalAddress.Current;

    /// <summary>Whether packets from strangers reach this node, as its probes found.</summary>
    public NodeReachability Reachability => _reachability.Status;

    /// <summary>
    /// True when this node runs as a client: its requests carry the CLIENT flag, so that receivers keep it
    /// out of their routing tables. Configured, or in <see cref="NodeMode.Auto"/>: while found private, and
    /// while not yet known to be reachable when it has no advertised endpoint or peers see it elsewhere.
    /// </summary>
    public bool IsClient => _options.Mode switch
    {
        NodeMode.Client => true,
        NodeMode.Server => false,
        _ => _reachability.Status == NodeReachability.Private || (_reachability.Status == NodeReachability.Unknown && LikelyBehindNat),
    };

    /// <summary>
    /// No advertised endpoint (unless peers agree on an address of our own interfaces), or peers see us
    /// somewhere else than it: probably behind a NAT. Such a node
    /// stays a client until a probe proves it reachable (as libp2p's kad waits for AutoNAT), rather than
    /// entering tables it would have to be evicted from.
    /// </summary>
    private bool LikelyBehindNat => _options.AdvertisedEndpoint.IsUnspecified
        ? _externalAddress.Current is not { } learned || !IsLocalAddress(learned)
        : _externalAddress.Current is { } seen && seen != _options.AdvertisedEndpoint;

    /// <summary>Whether peers see us at an address of one of this host's interfaces: then nothing translates it.</summary>
    private bool IsLocalAddress(NodeEndpoint endpoint)
    {
        var address = endpoint.ToIPAddress();
        foreach (var local in _options.LocalAddresses)
        {
            if (local.Equals(address) || (local.IsIPv4MappedToIPv6 && local.MapToIPv4().Equals(address)))
            {
                return true;
            }
        }

        return false;
    }

    private NodeEndpoint ReachableEndpoint =>
        !_options.AdvertisedEndpoint.IsUnspecified ? _options.AdvertisedEndpoint : _externalAddress.Current ?? default;

    /// <summary>A snapshot of the counters.</summary>
    public EngineStatistics Statistics => new()
    {
        PacketsIn = _packetsIn,
        PacketsOut = _outbox.Packets,
        BytesIn = _bytesIn,
        BytesOut = _outbox.Bytes,
        RequestsServed = _requestsServed,
        RequestsSent = _requestsSent,
        RequestTimeouts = _timeouts,
        QueriesStarted = _queriesStarted,
        QueriesActive = _queries.Count,
        RoutingTableSize = Routing.Count,
        Sessions = _sessions.PeerCount,
        Drops = _drops.ToDictionary(),
        ExternalEndpoint = _externalAddress.Current,
        Reachability = _reachability.Status,
        ReachabilityProbes = _reachability.Counts,
        IsClient = IsClient,
        AppMessagesDelivered = _apps.Delivered,
        AppMessagesSent = _apps.Sent,
        PunchesStarted = _punches.Started,
        PunchesSucceeded = _punches.Succeeded,
        RendezvousClients = _rendezvousClients.Count,
        RelayCircuits = _circuits.Count,
        RelayCircuitsOpened = _circuits.Opened,
        RelayedFrames = _circuits.FramesRelayed,
        RelayedBytes = _circuits.BytesRelayed,
        KeptPaths = _links.Count,
        KeptPathPunches = _links.Punches,
        KeptPathUpgrades = _links.Upgrades,
    };

    /// <summary>Takes the next datagram to send, as a new array (simple; see the overload that takes a buffer for the allocation-free path).</summary>
    public bool PollTransmit(out Transmit transmit) => _outbox.TryPoll(out transmit);

    /// <summary>
    /// Writes the next datagram to send into <paramref name="buffer"/>, the caller's (as quinn-proto's
    /// <c>poll_transmit</c> takes one): nothing is allocated, and the engine reuses its own copy.
    /// </summary>
    /// <param name="buffer">At least <see cref="WireLimits.MaxPacketSize"/> bytes.</param>
    /// <param name="destination">Where to send it.</param>
    /// <param name="length">How many bytes of <paramref name="buffer"/> it fills.</param>
    /// <returns>False when nothing is waiting.</returns>
    /// <exception cref="ArgumentException"><paramref name="buffer"/> is shorter than the datagram (which stays queued).</exception>
    public bool PollTransmit(Span<byte> buffer, [NotNullWhen(true)] out EndPoint? destination, out int length) =>
        _outbox.TryPoll(buffer, out destination, out length);

    /// <summary>Takes the next event.</summary>
    public bool PollEvent(out EngineEvent? engineEvent) => _events.TryDequeue(out engineEvent);

    /// <inheritdoc/>
    public void Dispose()
    {
        _sessions.Dispose();
        _sessionIdentity.Dispose();
    }

    ulong IQueryContext.NewRequestId() => NewRequestId();

    TimeSpan? IQueryContext.MeasuredTimeout(NodeInfo peer) =>
        Routing.Find(peer.Id) is { SmoothedRtt: not null } contact
            ? contact.RequestTimeout(_options.Network.MinRequestTimeout, _options.Network.MaxRequestTimeout)
            : null;

    NodeInfo[] IQueryContext.ValidContacts(ImmutableArray<WireContact> contacts, out int invalid)
    {
        invalid = 0;
        var valid = new List<NodeInfo>(contacts.Length);
        foreach (var contact in contacts)
        {
            var info = contact.ToNodeInfo();
            if (info.Endpoint.IsUnspecified || !info.MeetsProofOfWork(_options.Network))
            {
                invalid++;
                continue;
            }

            valid.Add(info);
        }

        if (invalid > 0)
        {
            _drops.Count(EngineDropReason.InvalidAnswer);
        }

        return [.. valid];
    }

    /// <summary>Datagrams dropped so far because they carry another network's ID (a host names the cause).</summary>
    internal long WrongNetworkDrops => _drops.Of(Sessions.SessionDropReason.WrongNetwork);

    /// <summary>An immutable copy of a table contact for an event: subscribers never hold the table's own entry.</summary>
    private RoutingContact Snapshot(Contact contact) => RoutingContact.From(contact, Routing.BucketIndexOf(contact.Id));

    void IQueryContext.ReportInvalidAnswer(NodeId peer, DateTimeOffset now)
    {
        _drops.Count(EngineDropReason.InvalidAnswer);
        if (Routing.RecordInvalidAnswer(peer, now) is { } evicted)
        {
            _events.Enqueue(new ContactEvicted(Snapshot(evicted)));
        }
    }

    void IQueryContext.Emit(EngineEvent engineEvent) => _events.Enqueue(engineEvent);

    private ulong NewRequestId()
    {
        if (_random is not null)
        {
            return (ulong)_random.NextInt64() ^ ((ulong)_random.Next() << 63);
        }

        return _requestIds.Next();
    }

    private static byte[] ExportSeed(NodeIdentity identity)
    {
        var blob = identity.Export();
        try
        {
            return blob.AsSpan(1, 32).ToArray();
        }
        finally
        {
            Array.Clear(blob);
        }
    }
}
