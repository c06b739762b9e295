using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Kademlia.Identity;

/// <summary>
/// The constants every node of one network must agree on. Two networks with different
/// <see cref="NetworkId"/>s share ports without mixing: packets of the other network are dropped.
/// </summary>
/// <remarks>
/// Use <see cref="Default"/> for a real deployment and <see cref="Test"/> for tests, demos and the
/// simulator (cheap proof-of-work, loopback exempt from the IP-diversity limits).
/// </remarks>
public sealed record NetworkParameters
{
    /// <summary>
    /// The replication parameter k of the paper: bucket size and number of closest nodes a lookup
    /// returns and a record is stored on. 20 is the paper's value, chosen so that k nodes are very
    /// unlikely to all fail within an hour.
    /// </summary>
    public const int KValue = 20;

    /// <summary>The lookup concurrency α of the paper: queries in flight per lookup.</summary>
    public const int AlphaValue = 3;

    /// <summary>The network a name stands for: the first four bytes of SHA-256("kad-network:" + name).</summary>
    public static uint NetworkIdFromName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("kad-network:" + name), digest);
        return BinaryPrimitives.ReadUInt32BigEndian(digest);
    }

    /// <summary>A human-readable name of the network. Defaults to <c>"kademlia"</c>.</summary>
    public string Name { get; init; } = "kademlia";

    /// <summary>The 32-bit network ID carried in every packet header and handshake prologue.</summary>
    public uint NetworkId { get; init; } = NetworkIdFromName("kademlia");

    /// <summary>Bucket size and replication factor. Defaults to <see cref="KValue"/> (20).</summary>
    public int K { get; init; } = KValue;

    /// <summary>Lookup concurrency. Defaults to <see cref="AlphaValue"/> (3).</summary>
    public int Alpha { get; init; } = AlphaValue;

    /// <summary>
    /// Number of disjoint lookup paths (S/Kademlia d). Defaults to 4: in the simulator (docs/EVALUATION.md) 4 paths
    /// reach an eclipsed node, and the closest honest node past 20% colluders, where one path does not, for about
    /// 5× the requests of one per FIND_NODE and 4× per GET (which stops at the first value); 8 costs twice
    /// that again for no measured gain (docs/ARCHITECTURE.md, "Disjoint paths"). <see cref="Test"/> keeps 1.
    /// </summary>
    public int DisjointPaths { get; init; } = 4;

    /// <summary>
    /// Static proof-of-work: the minimum leading zero bits of SHA-256(NodeId), met by re-rolling the
    /// key pair (2^c1 key generations). The network's value is the minimum; a proof never sets it.
    /// Defaults to 12.
    /// </summary>
    public int StaticDifficulty { get; init; } = 12;

    /// <summary>
    /// Dynamic proof-of-work: the minimum leading zero bits of SHA-256(NodeId ‖ nonce), met by
    /// searching a nonce (2^c2 hashes). Defaults to 18.
    /// </summary>
    public int DynamicDifficulty { get; init; } = 18;

    /// <summary>Size of a bucket's replacement cache. Defaults to 10.</summary>
    public int ReplacementCacheSize { get; init; } = 10;

    /// <summary>
    /// Consecutive failures after which a contact is evicted even when no replacement waits.
    /// Defaults to 5 (the paper keeps stale contacts while nothing better is known).
    /// </summary>
    public int MaxConsecutiveFailures { get; init; } = 5;

    /// <summary>
    /// Contacts from one IPv4 /24 (IPv6 /48) allowed in one bucket. Defaults to 2, as go-ethereum
    /// after the eclipse attacks of Marcus et al. (2018).
    /// </summary>
    public int MaxPerSubnetPerBucket { get; init; } = 2;

    /// <summary>Contacts from one IPv4 /24 (IPv6 /48) allowed in the whole table. Defaults to 10.</summary>
    public int MaxPerSubnetPerTable { get; init; } = 10;

    /// <summary>
    /// Whether loopback addresses escape the IP-diversity limits, so that many nodes can run on one
    /// machine. Defaults to false; <see cref="Test"/> sets it.
    /// </summary>
    public bool ExemptLoopbackFromDiversityLimits { get; init; }

    /// <summary>Largest record value, in bytes. Defaults to 1000 (as BEP 44).</summary>
    public int MaxValueSize { get; init; } = 1000;

    /// <summary>Lifetime of a stored record. Defaults to 48 hours (as rust-libp2p and go-libp2p).</summary>
    public TimeSpan RecordTtl { get; init; } = TimeSpan.FromHours(48);

    /// <summary>How often a publisher republishes its own records. Defaults to 22 hours.</summary>
    public TimeSpan RepublishInterval { get; init; } = TimeSpan.FromHours(22);

    /// <summary>
    /// How often a node stores the values it holds for others again on the current k closest, with their
    /// remaining lifetime (values stored or refreshed during the last interval are skipped). Defaults to 1 hour.
    /// </summary>
    public TimeSpan ReplicationInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>A bucket not looked up for this long is refreshed. Defaults to 1 hour (the paper).</summary>
    public TimeSpan BucketRefreshInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Shortest request timeout, whatever the measured RTT. Defaults to 100 ms.</summary>
    public TimeSpan MinRequestTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest request timeout, and the timeout of a contact with no RTT sample. Defaults to 2 s.</summary>
    public TimeSpan MaxRequestTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The production network.</summary>
    public static NetworkParameters Default { get; } = new();

    /// <summary>
    /// A fast network for tests, demos and the simulator: trivial proof-of-work and loopback exempt
    /// from the IP-diversity limits. Never use it in production.
    /// </summary>
    public static NetworkParameters Test { get; } = new()
    {
        Name = "kademlia-test",
        NetworkId = NetworkIdFromName("kademlia-test"),
        StaticDifficulty = 2,
        DynamicDifficulty = 4,
        ExemptLoopbackFromDiversityLimits = true,
        // One path: the small loopback clusters of the tests have no adversaries, and their assertions on what a
        // lookup sends were written for the plain Kademlia lookup.
        DisjointPaths = 1,
        // Loopback answers in microseconds, but a test machine running dozens of nodes on two cores
        // stalls for longer than a real network's RTT now and then.
        MinRequestTimeout = TimeSpan.FromMilliseconds(250),
    };

    /// <summary>Throws when a value is outside what the protocol can carry.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(K, 1, nameof(K));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(K, 64, nameof(K));
        ArgumentOutOfRangeException.ThrowIfLessThan(Alpha, 1, nameof(Alpha));
        ArgumentOutOfRangeException.ThrowIfLessThan(DisjointPaths, 1, nameof(DisjointPaths));
        ArgumentOutOfRangeException.ThrowIfNegative(StaticDifficulty, nameof(StaticDifficulty));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(StaticDifficulty, 32, nameof(StaticDifficulty));
        ArgumentOutOfRangeException.ThrowIfNegative(DynamicDifficulty, nameof(DynamicDifficulty));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(DynamicDifficulty, 40, nameof(DynamicDifficulty));
        ArgumentOutOfRangeException.ThrowIfNegative(ReplacementCacheSize, nameof(ReplacementCacheSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConsecutiveFailures, 1, nameof(MaxConsecutiveFailures));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPerSubnetPerBucket, 1, nameof(MaxPerSubnetPerBucket));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPerSubnetPerTable, MaxPerSubnetPerBucket, nameof(MaxPerSubnetPerTable));
    }
}
