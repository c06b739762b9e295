using Kademlia.Identity;

namespace Kademlia.Simulation;

/// <summary>
/// Everything a simulated run may vary, in one object: sizes, protocol knobs and faults as named
/// probabilities and distributions. One <see cref="Seed"/> feeds the one generator that draws every
/// choice, so the same options replay the same run bit for bit (the VOPR / FoundationDB discipline).
/// </summary>
public sealed record SimulationOptions
{
    /// <summary>Nodes at the start (adversaries included). Defaults to 1,000.</summary>
    public int Nodes { get; init; } = 1_000;

    /// <summary>Seed of the run. Defaults to 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Bucket size and replication factor k. Defaults to 20.</summary>
    public int K { get; init; } = NetworkParameters.KValue;

    /// <summary>Queries in flight per path α. Defaults to 3.</summary>
    public int Alpha { get; init; } = NetworkParameters.AlphaValue;

    /// <summary>Disjoint lookup paths d. Defaults to 1.</summary>
    public int DisjointPaths { get; init; } = 1;

    /// <summary>Median round-trip time between two nodes. Defaults to 50 ms.</summary>
    public TimeSpan MedianRtt { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Standard deviation of the logarithm of a node's one-way latency. Defaults to 0.5.</summary>
    public double LatencySigma { get; init; } = 0.5;

    /// <summary>
    /// Per-message jitter: standard deviation of the logarithm of a log-normal factor on every one-way delay
    /// (<see cref="LatencyModel.JitterSigma"/>), in both modes. Defaults to 0.1; 0 in <see cref="Ideal"/>.
    /// </summary>
    public double JitterSigma { get; init; } = 0.1;

    /// <summary>
    /// Mean time a node takes to answer a request (exponential): at the message level one draw per request at the peer; in wire mode (<see cref="EngineNetwork.ProcessingDelay"/>) one per datagram a node handles. Defaults to 1 ms; 0 in <see cref="Ideal"/>.
    /// </summary>
    public TimeSpan ProcessingDelay { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// Whether a request's timeout comes from the RTTs its sender observed of that contact (SRTT + 4·RTTVAR, as
    /// <c>Contact.RequestTimeout</c>; the lookup's own estimate for a contact never measured). Defaults to true;
    /// false in <see cref="Ideal"/>, which uses 3 × the true RTT of every table contact.
    /// </summary>
    public bool ObservedTimeouts { get; init; } = true;

    /// <summary>
    /// Unanswered requests in a row before a contact is evicted (the routing table's
    /// <see cref="NetworkParameters.MaxConsecutiveFailures"/>); a full bucket also pings its oldest contact
    /// when a newcomer arrives and evicts it if the ping goes unanswered. Defaults to 5; 1 in <see cref="Ideal"/>
    /// (evicted at the first failure, no pings).
    /// </summary>
    public int FailuresBeforeEviction { get; init; } = NetworkParameters.Default.MaxConsecutiveFailures;

    /// <summary>
    /// Whether routing tables are built by the protocol's own joins, one node after the other, with every
    /// message simulated and counted (<see cref="MessageLevelNetwork.JoinMessages"/>), instead of sampled from
    /// the ID ranges of the whole network (a network that has run for a while; O(N log N), for large N).
    /// With an eclipse, the victim (node 0) joins last, after its attackers. Defaults to false.
    /// </summary>
    public bool JoinedTables { get; init; }

    /// <summary>
    /// Whether sampled tables are drawn when a node's table is first read (by a lookup that queries the node,
    /// a request it receives, a check) instead of for every node while building. Each table is drawn from the
    /// same ID ranges by the same rule, so with nobody joining or leaving the network is the same in
    /// distribution; a run then draws only the tables it touches (about a tenth of a million nodes for 1,000
    /// lookups), which is what makes a million nodes fit in minutes. Not with churn, joined tables or an
    /// eclipse (whose attackers must reach the victim before its table is drawn). Defaults to false.
    /// </summary>
    public bool LazyTables { get; init; }

    /// <summary>
    /// These options with the simulator's oracles back, as a labelled comparison: no jitter, no processing
    /// delay, timeouts from the true RTT, eviction at the first failure.
    /// </summary>
    public SimulationOptions Ideal() => this with
    {
        JitterSigma = 0,
        ProcessingDelay = TimeSpan.Zero,
        ObservedTimeouts = false,
        FailuresBeforeEviction = 1,
        MaintenanceByLookups = false,
    };

    /// <summary>Probability that one datagram is lost (a request or its answer). Defaults to 0.</summary>
    public double LossRate { get; init; }

    /// <summary>
    /// Fraction of honest nodes behind a NAT (node 0 excepted): they send and get answers, but a request
    /// reaches one only from a peer it sent to within <see cref="NatMappingTimeout"/>. Defaults to 0.
    /// </summary>
    public double UnreachableFraction { get; init; }

    /// <summary>
    /// Whether nodes behind a NAT run as clients (the engine's <c>NodeMode.Auto</c> once a node finds
    /// itself Private): their requests carry the client flag, so no receiver puts them in its routing
    /// table, and they keep mappings to their closest contacts alive with keepalives. Off, they enter
    /// tables like any node and a request to one times out unless its NAT still admits the sender.
    /// Defaults to true (the engine's default).
    /// </summary>
    public bool ClientMode { get; init; } = true;

    /// <summary>
    /// How long a NAT admits a peer after the node behind it last sent to that peer (address-dependent
    /// filtering, refreshed by outbound traffic only). Defaults to 30 s (<see cref="NatBehavior.DefaultMappingTimeout"/>).
    /// </summary>
    public TimeSpan NatMappingTimeout { get; init; } = NatBehavior.DefaultMappingTimeout;

    /// <summary>How often a client sends a keepalive to each of its <see cref="KeepalivePeers"/> closest contacts. Defaults to 25 s (the engine's default).</summary>
    public TimeSpan KeepaliveInterval { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>How many contacts (the closest to its own ID) a client keeps alive. Defaults to 8 (the engine's default).</summary>
    public int KeepalivePeers { get; init; } = 8;

    /// <summary>Whether routing tables apply the per-/24 limits (2 per bucket, 10 per table). Defaults to true.</summary>
    public bool IpDiversityLimits { get; init; } = true;

    /// <summary>Session and downtime model; null for a network where nobody leaves. Defaults to null.</summary>
    public ChurnOptions? Churn { get; init; }

    /// <summary>Adversarial nodes among the population; null for none. Defaults to null.</summary>
    public AdversaryOptions? Adversaries { get; init; }

    /// <summary>An eclipse attempt on node 0; null for none. Defaults to null.</summary>
    public EclipseOptions? Eclipse { get; init; }

    /// <summary>Sybils with IDs ground next to the keys of the first records published; null for none. Defaults to null.</summary>
    public SybilOptions? Sybils { get; init; }

    /// <summary>Simulated time the workload is spread over (0: everything at the start). Defaults to 0.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>FIND_NODE lookups of random targets from random honest online nodes. Defaults to 1,000.</summary>
    public int Lookups { get; init; } = 1_000;

    /// <summary>GETs of published records from random honest online nodes. Defaults to <see cref="Lookups"/> when null.</summary>
    public int? Gets { get; init; }

    /// <summary>Records published at the start. Defaults to 100.</summary>
    public int Records { get; init; } = 100;

    /// <summary>How often each record is re-stored on the current k closest (by its publisher or a holder). Defaults to 1 hour.</summary>
    public TimeSpan RepublishInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Whether records are republished at all. Defaults to true.</summary>
    public bool Republish { get; init; } = true;

    /// <summary>How often every record is probed with a GET and the tables' health measured. Defaults to 30 minutes.</summary>
    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>How often a node refreshes its buckets (drops dead contacts, refills). Defaults to 1 hour (the paper).</summary>
    public TimeSpan BucketRefreshInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Whether the tables are kept during a run by the engine's own messages: a bucket refresh looks up a
    /// random ID in every bucket from the farthest to the nearest non-empty one (<c>RoutingTable.BucketsDueForRefresh</c>);
    /// a node coming back looks up its own ID and refreshes the buckets farther than its closest neighbour
    /// (the engine's bootstrap), through its kept table or, when that yields nobody, a random online seed;
    /// a brand-new node starts from such a seed. Every request is simulated and counted
    /// (<see cref="SimulationSummary.MaintenanceMessages"/>); dead contacts leave only by the failure rule.
    /// False brings back the oracle: refresh drops the contacts that would not answer and refills from the
    /// online nodes in range, and a returning node is learnt by its k closest, all without messages.
    /// Defaults to true; false in <see cref="Ideal"/>.
    /// </summary>
    public bool MaintenanceByLookups { get; init; } = true;

    /// <summary>Shortest request timeout. Defaults to 100 ms.</summary>
    public TimeSpan MinRequestTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest request timeout and the timeout of a never-measured peer. Defaults to 2 s.</summary>
    public TimeSpan MaxRequestTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Whether the invariant checkers run at the end (and after every lookup). Defaults to true.</summary>
    public bool CheckInvariants { get; init; } = true;

    /// <summary>The network parameters these options imply (proof-of-work off: IDs are assigned).</summary>
    public NetworkParameters ToNetworkParameters() => NetworkParameters.Test with
    {
        K = K,
        Alpha = Alpha,
        DisjointPaths = DisjointPaths,
        StaticDifficulty = 0,
        DynamicDifficulty = 0,
        ExemptLoopbackFromDiversityLimits = true,
        MinRequestTimeout = MinRequestTimeout,
        MaxRequestTimeout = MaxRequestTimeout,
    };
}

/// <summary>Sessions and downtimes of nodes, and departures for good replaced by new joins.</summary>
public sealed record ChurnOptions
{
    /// <summary>Median time a node stays online. Defaults to 1 hour.</summary>
    public TimeSpan MedianSession { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Median time a node stays offline before it returns. Defaults to 1 hour.</summary>
    public TimeSpan MedianDowntime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Shape of both distributions. Defaults to exponential.</summary>
    public DurationDistribution Distribution { get; init; } = DurationDistribution.Exponential;

    /// <summary>For log-normal: standard deviation of the logarithm. Defaults to 1.</summary>
    public double Sigma { get; init; } = 1.0;

    /// <summary>
    /// Probability that a leaving node never returns; a brand-new node (new ID, empty store and
    /// table) joins after one downtime instead. Defaults to 0.1.
    /// </summary>
    public double DepartureProbability { get; init; } = 0.1;
}

/// <summary>What an adversarial node does.</summary>
public enum AdversaryKind
{
    /// <summary>Never answers.</summary>
    Silent,

    /// <summary>Answers lookups with its colluders only, hiding the honest closest nodes; drops stores.</summary>
    Colluding,

    /// <summary>Routes honestly but acknowledges and drops every STORE and never returns a value.</summary>
    StoreDropper,

    /// <summary>Answers with bytes that fail to decode or verify.</summary>
    Garbage,

    /// <summary>
    /// Table poisoning: answers a lookup with the k closest nodes it knows of (it has crawled the network), its
    /// fellow poisoners at their own addresses and every honest node at a dead address; drops stores.
    /// </summary>
    Poisoning,
}

/// <summary>A share of adversarial nodes of one kind.</summary>
public sealed record AdversaryOptions
{
    /// <summary>Fraction of the nodes that are adversarial. Defaults to 0.2.</summary>
    public double Fraction { get; init; } = 0.2;

    /// <summary>What they do. Defaults to <see cref="AdversaryKind.Colluding"/>.</summary>
    public AdversaryKind Kind { get; init; } = AdversaryKind.Colluding;

    /// <summary>
    /// Sybil addressing: the adversaries share this many IPv4 /24 prefixes (0: each has its own
    /// address, like honest nodes). Defaults to 0.
    /// </summary>
    public int SybilPrefixes { get; init; }
}

/// <summary>
/// Sybils that grind their IDs next to chosen targets: the keys of the first <see cref="Targets"/> records
/// published. Each Sybil's ID shares one bit more with its key than the closest other node's does, so the
/// <see cref="PerTarget"/> Sybils are the closest nodes to the key; they collude (answer with each other, drop
/// stores). An ID in bucket b of a key (b leading bits in common, then one different) takes about 2^(b+1) key
/// generations, each also meeting the static puzzle: 2^(b+1+c1) with c1 = 12 (<see cref="SybilReport"/>).
/// </summary>
public sealed record SybilOptions
{
    /// <summary>Record keys attacked (the first records published). Defaults to 100.</summary>
    public int Targets { get; init; } = 100;

    /// <summary>Sybils ground next to each key. Defaults to 20 (k: every replica).</summary>
    public int PerTarget { get; init; } = 20;
}

/// <summary>An eclipse attempt: IDs ground into every bucket of node 0 from a few /24 prefixes, colluding.</summary>
public sealed record EclipseOptions
{
    /// <summary>Attacker nodes. Defaults to 400 (enough to fill every non-empty bucket of a 10,000-node network).</summary>
    public int Attackers { get; init; } = 400;

    /// <summary>The /24 prefixes the attackers' addresses come from. Defaults to 4.</summary>
    public int Prefixes { get; init; } = 4;

    /// <summary>
    /// The numbers of disjoint paths others' lookups of the victim are measured with, on the same network.
    /// Defaults to 1, 2, 4 and 8.
    /// </summary>
    public IReadOnlyList<int> MeasuredPaths { get; init; } = [1, 2, 4, 8];
}
