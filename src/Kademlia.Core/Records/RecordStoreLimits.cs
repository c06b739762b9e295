namespace Kademlia.Records;

/// <summary>Quotas of a record store, so that no peer can fill a node's memory or disk.</summary>
public sealed record RecordStoreLimits
{
    /// <summary>Most value records in the store. Defaults to 65,536.</summary>
    public int MaxValues { get; init; } = 65_536;

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
    /// Most bytes of records in the store, counted as encoded on the wire (values and provider
    /// records alike). Defaults to 64 MiB.
    /// </summary>
    public long MaxBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>The defaults.</summary>
    public static RecordStoreLimits Default { get; } = new();
}
