namespace Kademlia.Cli.Control;

/// <summary><c>kad status</c>: who the node is, its routing table by bucket, its records and its traffic.</summary>
internal sealed class StatusSummary
{
    public string Id { get; set; } = "";

    public string Contact { get; set; } = "";

    public string Network { get; set; } = "";

    public double UptimeSeconds { get; set; }

    /// <summary>The public endpoint peers agree they see the node at, or null before they agree.</summary>
    public string? ExternalEndpoint { get; set; }

    /// <summary>Unknown, Public or Private: whether packets from strangers reach the node.</summary>
    public string Reachability { get; set; } = "Unknown";

    /// <summary>What the reachability probes came to (sent, refused, dials from strangers, missed dials).</summary>
    public ReachabilityProbeCounts Probes { get; set; } = new();

    /// <summary>"server" or "client" (a client stays out of others' routing tables).</summary>
    public string Mode { get; set; } = "server";

    /// <summary>Non-empty buckets: index (bits shared with our ID) and contacts.</summary>
    public List<BucketSummary> Buckets { get; set; } = [];

    public int TableSize { get; set; }

    /// <summary>
    /// Every contact of the routing table: ID, the endpoint the node reaches it at, its bucket and what the
    /// node measured of it. Lets an operator or a script check who is in the table, e.g. that no client is.
    /// </summary>
    public List<ContactSummary> Contacts { get; set; } = [];

    /// <summary>The values and announcements this node publishes itself (and republishes), with when next.</summary>
    public List<PublishedSummary> Published { get; set; } = [];

    public int Values { get; set; }

    public int Providers { get; set; }

    public int Topics { get; set; }

    public long RecordBytes { get; set; }

    public long PacketsIn { get; set; }

    public long PacketsOut { get; set; }

    public long BytesIn { get; set; }

    public long BytesOut { get; set; }

    public long RequestsServed { get; set; }

    public long RequestsSent { get; set; }

    public long RequestTimeouts { get; set; }

    public long QueriesStarted { get; set; }

    public int QueriesActive { get; set; }

    public int Sessions { get; set; }

    /// <summary>Application messages sent and delivered to this node's receivers.</summary>
    public long AppMessagesSent { get; set; }

    public long AppMessagesDelivered { get; set; }

    /// <summary>Hole punches this node started, and those that ended with a direct session.</summary>
    public long PunchesStarted { get; set; }

    public long PunchesSucceeded { get; set; }

    /// <summary>As a rendezvous: clients that keep sessions with this node now.</summary>
    public int RendezvousClients { get; set; }

    /// <summary>As a rendezvous: relay circuits open now and opened so far, RELAY frames and bytes passed on.</summary>
    public int RelayCircuits { get; set; }

    public long RelayCircuitsOpened { get; set; }

    public long RelayedFrames { get; set; }

    public long RelayedBytes { get; set; }

    /// <summary>Paths to peers kept for open channels, punches they started (repairs, upgrades) and upgrades from a relay to direct.</summary>
    public int KeptPaths { get; set; }

    public long KeptPathPunches { get; set; }

    public long KeptPathUpgrades { get; set; }

    /// <summary>Dropped packets by reason.</summary>
    public Dictionary<string, long> Drops { get; set; } = [];
}

/// <summary>One routing table contact and what the node measured of it.</summary>
/// <param name="Id">The contact's node ID (hex).</param>
/// <param name="Endpoint">Where the node reaches it.</param>
/// <param name="Bucket">Leading bits its ID shares with the node's.</param>
/// <param name="RttMs">Smoothed round-trip time in milliseconds, or null before its first answer.</param>
/// <param name="Failures">Requests in a row it left unanswered.</param>
/// <param name="Reputation">From -100 to 100.</param>
/// <param name="LastSeenSecondsAgo">Seconds since the last authenticated exchange with it.</param>
internal sealed record ContactSummary(string Id, string Endpoint, int Bucket, double? RttMs, int Failures, int Reputation, double LastSeenSecondsAgo);

/// <summary>One record this node publishes.</summary>
/// <param name="Key">The record's key, or the announcement's topic (hex).</param>
/// <param name="Kind">"value" or "announcement".</param>
/// <param name="NextRepublishInSeconds">Seconds until the node publishes it again.</param>
internal sealed record PublishedSummary(string Key, string Kind, double NextRepublishInSeconds);

/// <summary>One non-empty bucket.</summary>
internal sealed record BucketSummary(int Index, int Contacts);
