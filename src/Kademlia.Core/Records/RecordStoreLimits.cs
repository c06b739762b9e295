namespace Kademlia.Records;

/// <summary>Quotas of a record store, so that no peer can fill a node's memory or disk.</summary>
public sealed record RecordStoreLimits
{
    /// <summary>Most value records in the store. Defaults to 65,536.</summary>
    public int MaxValues { get; init; } = 65_536;

    /// <summary>
    /// Most provider entries in the store, over all topics. Defaults to 65,536, as
    /// <see cref="MaxValues"/>: an entry costs about as much memory as a value's bookkeeping, and a
    /// store of 441,505 entries (what 64 MiB of their encodings allowed) took 504 MB of memory and
    /// 11.6 s to reopen (issue 12, item 2).
    /// </summary>
    public int MaxProviders { get; init; } = 65_536;

    /// <summary>Most providers kept per topic. Defaults to 64 (a popular game lists many tables, not thousands).</summary>
    public int MaxProvidersPerTopic { get; init; } = 64;

    /// <summary>Most records (values and provider entries) one source node may have stored here. Defaults to 1,024.</summary>
    public int MaxRecordsPerSource { get; init; } = 1_024;

    /// <summary>
    /// Most records (values and provider entries) the sources of one prefix (an IPv4 /24, an IPv6 /48;
    /// see <see cref="RecordSource"/>) may have stored here together, so that identities ground by the
    /// thousand behind one address cannot take the store. Defaults to 4,096 (four full sources, a
    /// sixteenth of <see cref="MaxValues"/>).
    /// </summary>
    public int MaxRecordsPerPrefix { get; init; } = 4_096;

    /// <summary>
    /// Most providers of one topic stored from one prefix, so that a full topic keeps room for
    /// providers elsewhere. Defaults to 8 (an eighth of <see cref="MaxProvidersPerTopic"/>).
    /// </summary>
    public int MaxProvidersPerTopicPerPrefix { get; init; } = 8;

    /// <summary>
    /// Largest record value accepted, in bytes; a longer one is refused with <see cref="StoreError.TooLarge"/>.
    /// Set it from <see cref="Identity.NetworkParameters.MaxValueSize"/>. Defaults to
    /// <see cref="RecordLimits.MaxValueSize"/> (1000), the most the protocol carries.
    /// </summary>
    public int MaxValueSize { get; init; } = RecordLimits.MaxValueSize;

    /// <summary>
    /// Most bytes of records in the store, each entry (a value or a provider entry) counted as its
    /// encoding on the wire plus <see cref="EntryOverhead"/>, so that the quota bounds what the
    /// store really takes: the database file and the store's managed memory each stay below it
    /// (measured by <c>SqliteStoreFootprintTests</c>). Defaults to 64 MiB.
    /// </summary>
    public long MaxBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// Bytes counted against <see cref="MaxBytes"/> for each entry on top of its encoding: what an
    /// entry costs beyond its bytes. The larger cost is memory: the objects, dictionary entries and
    /// sorted-set nodes of its bookkeeping, measured at about 850 bytes for a 1 KB value and 1,150
    /// for a provider entry whose encoding is 150 (in the worst case, every entry from a prefix of
    /// its own; <c>SqliteStoreFootprintTests</c>); its database row and index take about 250.
    /// Counted in full, 64 MiB holds about 25,000 values of 1 KB or 40,000 provider entries; counted
    /// as encodings only, 64 MiB of provider entries took 504 MB of memory (issue 12, item 2).
    /// Defaults to 1,536.
    /// </summary>
    public int EntryOverhead { get; init; } = 1_536;

    /// <summary>The defaults.</summary>
    public static RecordStoreLimits Default { get; } = new();
}
