using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Routing;

namespace Kademlia.Engine;

/// <summary>Settings of one <see cref="KademliaEngine"/>. The network's constants live in <see cref="Network"/>.</summary>
public sealed record EngineOptions
{
    /// <summary>The network joined. Defaults to <see cref="NetworkParameters.Default"/>.</summary>
    public NetworkParameters Network { get; init; } = NetworkParameters.Default;

    /// <summary>
    /// The endpoint other nodes reach us at, written into our provider records. The runtime sets it
    /// from its socket. Defaults to unspecified (no provider records can be announced).
    /// </summary>
    public NodeEndpoint AdvertisedEndpoint { get; init; }

    /// <summary>Stores that must acknowledge a PUT or ANNOUNCE for it to succeed. Defaults to 1.</summary>
    public int Quorum { get; init; } = 1;

    /// <summary>Quotas of the default in-memory record store. Defaults to <see cref="RecordStoreLimits.Default"/>.</summary>
    public RecordStoreLimits StoreLimits { get; init; } = RecordStoreLimits.Default;

    /// <summary>
    /// Requests served per second to one source (an IP address; an IP:port on loopback, where many
    /// nodes share an address), as a token bucket. Defaults to 1,000.
    /// </summary>
    public double RequestsPerSecondPerSource { get; init; } = 1_000;

    /// <summary>Burst size of the per-source request bucket. Defaults to 2,000.</summary>
    public double RequestBurstPerSource { get; init; } = 2_000;

    /// <summary>
    /// Handshake initiations accepted per second from one source before the node asks for cookies
    /// (stateless address proof) from everyone. Defaults to 50.
    /// </summary>
    public double HandshakesPerSecondPerSource { get; init; } = 50;

    /// <summary>
    /// Handshake initiations per second from all sources together above which the node is under load and asks
    /// everyone for a cookie (a distributed flood stays under every per-source limit). It leaves that state
    /// only after <see cref="HandshakeLoadHold"/> below half this rate (and with the responder half of the
    /// pending handshake table below a quarter full; half full enters it). Defaults to 250.
    /// </summary>
    public double HandshakeLoadPerSecond { get; init; } = 250;

    /// <summary>How long the load must have stayed low before cookies are no longer asked for. Defaults to 5 s.</summary>
    public TimeSpan HandshakeLoadHold { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Most sources tracked by the rate limiter; the stalest is forgotten first. Defaults to 8,192.</summary>
    public int MaxTrackedSources { get; init; } = 8_192;

    /// <summary>Peers with a session at once (the session table's bound). Defaults to 4,096.</summary>
    public int MaxSessions { get; init; } = 4_096;

    /// <summary>How much closer than our own distance a store may be to still accept a PUT, in multiples of k. Defaults to 2.</summary>
    public int StoreAcceptanceFactor { get; init; } = 2;

    /// <summary>Maintenance period: expiry, bucket refresh and republish checks. Defaults to 1 minute.</summary>
    public TimeSpan MaintenanceInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Server, client, or decided by the reachability probes (<see cref="NodeMode.Auto"/>: a client while
    /// <see cref="NodeReachability.Private"/>). Defaults to <see cref="NodeMode.Auto"/>.
    /// </summary>
    public NodeMode Mode { get; init; } = NodeMode.Auto;

    /// <summary>
    /// How often a client sends a keepalive to the nodes it depends on, so that its NAT keeps their
    /// mappings open (WireGuard's persistent keepalive; home routers drop idle UDP mappings after 30 s
    /// to a few minutes). Defaults to 25 seconds.
    /// </summary>
    public TimeSpan KeepaliveInterval { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>
    /// Whether the node pings peers to learn its public endpoint and probes whether strangers reach it.
    /// Turn it off for a node whose address is fixed and known (set <see cref="AdvertisedEndpoint"/> and
    /// <see cref="Mode"/> = <see cref="NodeMode.Server"/>); it still counts the endpoints that PONGs report.
    /// Defaults to true.
    /// </summary>
    public bool DiscoverReachability { get; init; } = true;

    /// <summary>
    /// The addresses of this host's own interfaces (the runtime fills them in when bound to a wildcard
    /// address). When peers agree they see us at one of them, nothing translates our packets: a node
    /// with no advertised endpoint is then a server without waiting for a probe. Defaults to none.
    /// </summary>
    public IReadOnlyList<System.Net.IPAddress> LocalAddresses { get; init; } = [];

    /// <summary>How many contacts (the closest to our own ID) a client keeps alive. Defaults to 8.</summary>
    public int KeepalivePeers { get; init; } = 8;

    /// <summary>
    /// App messages (requests and datagrams together) taken per second from one peer, by node ID, as a token
    /// bucket: beyond it requests are answered RATE_LIMITED and datagrams dropped. Room for a game's 30 to
    /// 60 updates a second with requests besides, while one peer can make us deliver at most about
    /// 120 KB/s to applications. Defaults to 100.
    /// </summary>
    public double AppMessagesPerSecondPerPeer { get; init; } = 100;

    /// <summary>Burst size of the per-peer app-message bucket. Defaults to 200.</summary>
    public double AppMessageBurstPerPeer { get; init; } = 200;

    /// <summary>
    /// How many of a client's keepalive contacts it names as rendezvous points in its provider records, and
    /// accepts PUNCH_NOTIFYs from (at most <see cref="Records.RecordLimits.MaxRendezvous"/>). Defaults to 3.
    /// </summary>
    public int RendezvousPoints { get; init; } = 3;

    /// <summary>
    /// What this node, as a rendezvous, lets one relay circuit carry and for how long: the limits of
    /// libp2p's circuit relay v2 (rust-libp2p <c>relay::Config</c> defaults). Defaults to <see cref="RelayLimits.Default"/>.
    /// </summary>
    public RelayLimits Relay { get; init; } = RelayLimits.Default;
}
