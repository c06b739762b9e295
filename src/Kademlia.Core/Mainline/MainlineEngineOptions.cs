using Kademlia.Identity;

namespace Kademlia.Mainline;

/// <summary>The settings of a <see cref="MainlineEngine"/>: Mainline's constants and this project's limits.</summary>
public sealed record MainlineEngineOptions
{
    /// <summary>
    /// The node's ID. Null (the default) draws a random one and replaces it once by a BEP 42 ID when the
    /// external address is agreed by <see cref="ExternalAddressVotes"/> answering nodes.
    /// </summary>
    public MainlineId? Id { get; init; }

    /// <summary>
    /// BEP 43 read-only mode, Mainline's client mode: queries carry <c>ro = 1</c>, incoming queries are not
    /// answered, and other nodes do not put this one in their tables.
    /// </summary>
    public bool ReadOnly { get; init; }

    /// <summary>Bucket size and the number of closest nodes a lookup returns and stores on. Mainline's 8.</summary>
    public int K { get; init; } = 8;

    /// <summary>Queries in flight per lookup while it makes progress. Defaults to 3.</summary>
    public int Alpha { get; init; } = 3;

    /// <summary>Shortest request timeout, whatever the measured RTT. Defaults to 100 ms.</summary>
    public TimeSpan MinRequestTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest request timeout, used before a node's RTT is known. Defaults to 2 s.</summary>
    public TimeSpan MaxRequestTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Contacts from one IPv4 /24 (IPv6 /48) in one bucket. Defaults to 2, as the native mode.</summary>
    public int MaxPerSubnetPerBucket { get; init; } = 2;

    /// <summary>Contacts from one IPv4 /24 (IPv6 /48) in the whole table. Defaults to 10, as the native mode.</summary>
    public int MaxPerSubnetPerTable { get; init; } = 10;

    /// <summary>Whether loopback escapes the subnet limits (many nodes on one machine). Defaults to false; tests set it.</summary>
    public bool ExemptLoopbackFromDiversityLimits { get; init; }

    /// <summary>
    /// Whether others' IDs must match their address as BEP 42 says before they enter the table. Defaults to
    /// true. Loopback and private addresses are exempt whatever this says (<see cref="NodeIdSecurity.IsExempt"/>).
    /// </summary>
    public bool EnforceNodeIds { get; init; } = true;

    /// <summary>Independent answering nodes (one per /24 or /48) that must report the same external address before it is believed. Defaults to 3.</summary>
    public int ExternalAddressVotes { get; init; } = 3;

    /// <summary>Queries answered per second from one IP address (one endpoint on loopback). Defaults to 20.</summary>
    public double QueriesPerSecondPerAddress { get; init; } = 20;

    /// <summary>Queries one address may send in a burst. Defaults to 50.</summary>
    public double QueryBurstPerAddress { get; init; } = 50;

    /// <summary>Info-hashes whose peers are held. Defaults to 10,000.</summary>
    public int MaxInfoHashes { get; init; } = 10_000;

    /// <summary>Peers held per info-hash. Defaults to 100.</summary>
    public int MaxPeersPerInfoHash { get; init; } = 100;

    /// <summary>How long an announced peer is kept. Defaults to 30 minutes (libtorrent's value).</summary>
    public TimeSpan PeerLifetime { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>BEP 44 items held. Defaults to 10,000.</summary>
    public int MaxItems { get; init; } = 10_000;

    /// <summary>Total encoded bytes of the BEP 44 values held. Defaults to 4 MB.</summary>
    public int MaxItemBytes { get; init; } = 4_000_000;

    /// <summary>How long a BEP 44 item is kept without a refresh. Defaults to 2 hours, as BEP 44 says.</summary>
    public TimeSpan ItemLifetime { get; init; } = TimeSpan.FromHours(2);

    /// <summary>A bucket not looked up for this long is refreshed. Defaults to 15 minutes (BEP 5).</summary>
    public TimeSpan BucketRefreshInterval { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>The address families this node can reach: <c>nodes</c> (IPv4), <c>nodes6</c> (IPv6, BEP 32) or both. Defaults to IPv4.</summary>
    public KrpcWant AddressFamilies { get; init; } = KrpcWant.Nodes4;

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(K, 1, nameof(K));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(K, 64, nameof(K));
        ArgumentOutOfRangeException.ThrowIfLessThan(Alpha, 1, nameof(Alpha));
        ArgumentOutOfRangeException.ThrowIfLessThan(ExternalAddressVotes, 1, nameof(ExternalAddressVotes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInfoHashes, 1, nameof(MaxInfoHashes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPeersPerInfoHash, 1, nameof(MaxPeersPerInfoHash));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxItems, 1, nameof(MaxItems));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxItemBytes, MainlineItemRules.MaxValueSize, nameof(MaxItemBytes));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(QueriesPerSecondPerAddress, 0, nameof(QueriesPerSecondPerAddress));
        ArgumentOutOfRangeException.ThrowIfLessThan(QueryBurstPerAddress, 1, nameof(QueryBurstPerAddress));
        if ((AddressFamilies & (KrpcWant.Nodes4 | KrpcWant.Nodes6)) == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(AddressFamilies), "At least one address family is needed.");
        }
    }

    /// <summary>The native network parameters the shared routing table applies.</summary>
    internal NetworkParameters ToNetworkParameters() => new()
    {
        Name = "mainline",
        K = K,
        Alpha = Alpha,
        StaticDifficulty = 0,
        DynamicDifficulty = 0,
        MaxPerSubnetPerBucket = MaxPerSubnetPerBucket,
        MaxPerSubnetPerTable = MaxPerSubnetPerTable,
        ExemptLoopbackFromDiversityLimits = ExemptLoopbackFromDiversityLimits,
        MinRequestTimeout = MinRequestTimeout,
        MaxRequestTimeout = MaxRequestTimeout,
        BucketRefreshInterval = BucketRefreshInterval,
    };
}
