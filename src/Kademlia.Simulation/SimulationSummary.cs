using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kademlia.Simulation;

/// <summary>The kind of a measured operation.</summary>
public enum OperationKind
{
    /// <summary>A FIND_NODE lookup of a random target.</summary>
    FindNode,

    /// <summary>A GET of a published record.</summary>
    Get,

    /// <summary>A PUT of a new record.</summary>
    Put,

    /// <summary>A re-store of a record by its publisher or a holder.</summary>
    Republish,

    /// <summary>A GET of the retrievability probe (every record, every sample interval).</summary>
    Probe,
}

/// <summary>One measured operation.</summary>
/// <param name="Kind">What was done.</param>
/// <param name="AtSeconds">Virtual time it started, in seconds from the start of the run.</param>
/// <param name="Succeeded">FIND_NODE: the closest honest live node answered; GET: a valid value came back; PUT: at least one STORE acknowledged.</param>
/// <param name="Hops">Depth of the closest answering node (GET: of the node that returned the value).</param>
/// <param name="LatencyMs">Virtual time to the result.</param>
/// <param name="Messages">Requests sent.</param>
public sealed record OperationSample(OperationKind Kind, double AtSeconds, bool Succeeded, int Hops, double LatencyMs, int Messages);

/// <summary>Percentiles of one kind of operation.</summary>
public sealed record OperationStats(
    int Count,
    int Succeeded,
    double SuccessRate,
    int HopsP50,
    int HopsP99,
    int HopsMax,
    double LatencyP50Ms,
    double LatencyP95Ms,
    double LatencyP99Ms,
    double MessagesMean,
    int MessagesP99)
{
    /// <summary>Stats of <paramref name="samples"/> (hops and latency over successful ones when any succeeded).</summary>
    public static OperationStats Of(IReadOnlyList<OperationSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            return new OperationStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        }

        var succeeded = samples.Where(s => s.Succeeded).ToList();
        var basis = succeeded.Count > 0 ? succeeded : samples.ToList();
        var hops = basis.Select(s => s.Hops).Order().ToArray();
        var latency = basis.Select(s => s.LatencyMs).Order().ToArray();
        var messages = samples.Select(s => s.Messages).Order().ToArray();
        return new OperationStats(
            samples.Count,
            succeeded.Count,
            (double)succeeded.Count / samples.Count,
            Percentile(hops, 0.50),
            Percentile(hops, 0.99),
            hops[^1],
            Math.Round(Percentile(latency, 0.50), 1),
            Math.Round(Percentile(latency, 0.95), 1),
            Math.Round(Percentile(latency, 0.99), 1),
            Math.Round(samples.Average(s => s.Messages), 2),
            Percentile(messages, 0.99));
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static T Percentile<T>(T[] sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        var rank = (int)Math.Ceiling(p * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}

/// <summary>The state of the network at one sample time.</summary>
/// <param name="Hours">Virtual time, in hours from the start.</param>
/// <param name="OnlineNodes">Honest nodes online.</param>
/// <param name="Retrievable">Fraction of records a GET found.</param>
/// <param name="Replicated">Fraction of records some honest online node holds (what a perfect lookup could find).</param>
/// <param name="MeanReplicas">Mean honest online replicas per record.</param>
/// <param name="MeanContacts">Mean routing-table size of honest online nodes.</param>
/// <param name="LiveContactFraction">Fraction of those contacts that would answer.</param>
public sealed record TimelinePoint(double Hours, int OnlineNodes, double Retrievable, double Replicated, double MeanReplicas, double MeanContacts, double LiveContactFraction);

/// <summary>How an eclipse attempt on node 0 fared.</summary>
/// <param name="VictimTableSize">Contacts in the victim's table.</param>
/// <param name="AttackerShare">Fraction of them that are attackers.</param>
/// <param name="VictimLookupSuccess">Fraction of the victim's own lookups that reached the closest honest node.</param>
/// <param name="LookupsOfVictimSuccess">Fraction of other nodes' lookups of the victim's ID that reached the victim, at the run's d.</param>
/// <param name="ByPaths">Others' lookups of the victim at each measured d, on the same network.</param>
/// <param name="HonestTablesHoldingVictim">Honest nodes whose routing table holds the victim (before the lookups are measured).</param>
/// <param name="ClosestHonestHoldingVictim">Of the k honest nodes closest to the victim's ID, those whose table holds it.</param>
public sealed record EclipseReport(
    int VictimTableSize,
    double AttackerShare,
    double VictimLookupSuccess,
    double LookupsOfVictimSuccess,
    IReadOnlyList<EclipsePaths> ByPaths,
    int HonestTablesHoldingVictim,
    int ClosestHonestHoldingVictim);

/// <summary>Others' lookups of an eclipse victim with <paramref name="DisjointPaths"/> paths.</summary>
/// <param name="DisjointPaths">d.</param>
/// <param name="Lookups">Lookups of the victim's ID from random honest nodes.</param>
/// <param name="ReachedVictim">Fraction whose result holds the victim.</param>
/// <param name="MessagesMean">Requests per lookup.</param>
public sealed record EclipsePaths(int DisjointPaths, int Lookups, double ReachedVictim, double MessagesMean);

/// <summary>Sybils ground next to record keys (<see cref="SybilOptions"/>) and what their IDs cost.</summary>
/// <param name="Targets">Record keys attacked.</param>
/// <param name="PerTarget">Sybils per key.</param>
/// <param name="MeanBucket">Mean bucket b of its key a Sybil's ID had to fall in (bits in common with the key).</param>
/// <param name="StaticDifficulty">The static puzzle c1 each ID must also meet (the production network's).</param>
/// <param name="Log2KeyGenerationsPerSybil">log2 of the key generations one Sybil's ID costs on average: log2 of the mean of 2^(b+1+c1).</param>
/// <param name="Log2KeyGenerationsTotal">log2 of the key generations all the Sybils cost.</param>
/// <param name="TargetedGetSuccess">Fraction of GETs (workload and probes) of attacked keys that found the value.</param>
public sealed record SybilReport(int Targets, int PerTarget, double MeanBucket, int StaticDifficulty, double Log2KeyGenerationsPerSybil, double Log2KeyGenerationsTotal, double TargetedGetSuccess);

/// <summary>How the nodes behind NATs fared, measured at the end of the run.</summary>
/// <param name="NattedNodes">Nodes behind a NAT.</param>
/// <param name="ClientMode">Whether they ran as clients.</param>
/// <param name="NattedContactsInPublicTables">Contacts behind a NAT in the routing tables of reachable nodes (each table counts its own).</param>
/// <param name="NattedShareOfPublicContacts">Their share of all contacts in reachable nodes' tables.</param>
/// <param name="RequestsDroppedAtNats">Requests a NAT dropped over the run (each a timeout for its sender).</param>
/// <param name="Keepalives">Keepalives the clients sent over the run (counted from the interval, not simulated).</param>
public sealed record NatReport(int NattedNodes, bool ClientMode, int NattedContactsInPublicTables, double NattedShareOfPublicContacts, long RequestsDroppedAtNats, long Keepalives);

/// <summary>Everything a run measured; deterministic (no wall-clock values), so two runs of one seed compare equal.</summary>
public sealed record SimulationSummary
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Seed of the run.</summary>
    public required int Seed { get; init; }

    /// <summary>"message" or "wire".</summary>
    public required string Mode { get; init; }

    /// <summary>A one-line description of the scenario.</summary>
    public required string Scenario { get; init; }

    /// <summary>Nodes at the start.</summary>
    public required int Nodes { get; init; }

    /// <summary>k, α, d.</summary>
    public required int K { get; init; }

    /// <summary>Queries in flight per path.</summary>
    public required int Alpha { get; init; }

    /// <summary>Disjoint paths.</summary>
    public required int DisjointPaths { get; init; }

    /// <summary>Median RTT measured over random pairs.</summary>
    public required double MeasuredMedianRttMs { get; init; }

    /// <summary>FIND_NODE statistics.</summary>
    public required OperationStats FindNode { get; init; }

    /// <summary>GET statistics.</summary>
    public required OperationStats Get { get; init; }

    /// <summary>PUT statistics.</summary>
    public required OperationStats Put { get; init; }

    /// <summary>Republish statistics.</summary>
    public required OperationStats Republish { get; init; }

    /// <summary>Retrievability probes over the whole run.</summary>
    public required OperationStats Probes { get; init; }

    /// <summary>The network over time.</summary>
    public required IReadOnlyList<TimelinePoint> Timeline { get; init; }

    /// <summary>The eclipse attempt, when there was one.</summary>
    public EclipseReport? Eclipse { get; init; }

    /// <summary>Nodes behind NATs, when there were some.</summary>
    public NatReport? Nat { get; init; }

    /// <summary>Sybils ground next to record keys, when there were some.</summary>
    public SybilReport? Sybils { get; init; }

    /// <summary>Queries sent to dead addresses poisoners gave for honest IDs (included in <see cref="Messages"/>).</summary>
    public long DeadAddressQueries { get; init; }

    /// <summary>Scheduler events processed (churn, refresh, workload, samples).</summary>
    public required long Events { get; init; }

    /// <summary>Requests simulated (every FIND_NODE, GET and STORE message).</summary>
    public required long Messages { get; init; }

    /// <summary>Messages the joins that built the tables sent (included in <see cref="Messages"/>); 0 for sampled tables.</summary>
    public long JoinMessages { get; init; }

    /// <summary>Requests the tables' maintenance sent during the run (bucket refreshes and returning nodes' joins; <see cref="SimulationOptions.MaintenanceByLookups"/>), included in <see cref="Messages"/>.</summary>
    public long MaintenanceMessages { get; init; }

    /// <summary>Routing tables that exist at the end: every node's, or with lazy tables those the run read (<see cref="SimulationOptions.LazyTables"/>).</summary>
    public int TablesDrawn { get; init; }

    /// <summary>Liveness pings of full buckets' oldest contacts (included in <see cref="Messages"/>).</summary>
    public long Pings { get; init; }

    /// <summary>Full-wire mode: the digest of every datagram delivered (<see cref="EngineNetwork.TraceDigest"/>); null at the message level.</summary>
    public string? TraceDigest { get; init; }

    /// <summary>Invariant violations found (empty when all held).</summary>
    public required IReadOnlyList<string> Violations { get; init; }

    /// <summary>Every measured operation, for plots.</summary>
    public required IReadOnlyList<OperationSample> Samples { get; init; }

    /// <summary>The summary as indented JSON (enums by name).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}
