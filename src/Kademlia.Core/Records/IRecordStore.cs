using Kademlia.Identity;

namespace Kademlia.Records;

/// <summary>
/// Where a node keeps the records other nodes (and itself) store on it: values (immutable and
/// mutable) and provider records. Implementations validate nothing cryptographic — the engine
/// verifies signatures and keys before storing — but enforce sequence rules, expiry and quotas.
/// </summary>
/// <remarks>
/// <c>MemoryRecordStore</c> is the default; <c>Kademlia.Sqlite</c> has a durable one. Not
/// thread-safe: one engine owns one store. Time is always an argument.
/// </remarks>
public interface IRecordStore
{
    /// <summary>
    /// Stores a value record received from <paramref name="source"/> (the node's own ID for its own
    /// records, which are never evicted for others), until <paramref name="expiresAt"/>.
    /// A mutable record replaces a stored one only with a higher sequence (an equal sequence with the
    /// same value refreshes the expiry); <paramref name="expectedSequence"/> makes it a
    /// compare-and-swap against the stored sequence (0 meaning "none stored").
    /// </summary>
    StoreError Put(ValueRecord record, RecordSource source, DateTimeOffset now, DateTimeOffset expiresAt, ulong? expectedSequence = null);

    /// <summary>The live value stored under <paramref name="key"/>, or null.</summary>
    StoredValue? Get(NodeId key, DateTimeOffset now);

    /// <summary>Stores or refreshes a provider record from <paramref name="source"/> until <paramref name="expiresAt"/>.</summary>
    StoreError AddProvider(ProviderRecord record, RecordSource source, DateTimeOffset now, DateTimeOffset expiresAt);

    /// <summary>Up to <paramref name="max"/> live providers of <paramref name="topic"/>, most recently published first.</summary>
    IReadOnlyList<ProviderRecord> GetProviders(NodeId topic, DateTimeOffset now, int max);

    /// <summary>Removes everything expired at <paramref name="now"/>; returns the keys of removed values and topics.</summary>
    IReadOnlyList<NodeId> RemoveExpired(DateTimeOffset now);

    /// <summary>Every live value, for re-replication to the k closest nodes.</summary>
    IReadOnlyList<StoredValue> Values(DateTimeOffset now);

    /// <summary>Every topic with a live provider: how many providers it has and when the last of them expires.</summary>
    IReadOnlyList<StoredTopic> Topics(DateTimeOffset now);

    /// <summary>The earliest expiry of anything stored, or null when empty.</summary>
    DateTimeOffset? NextExpiry { get; }

    /// <summary>Counts and sizes.</summary>
    RecordStoreStatistics Statistics { get; }
}

/// <summary>A stored value and its bookkeeping.</summary>
/// <param name="Record">The record.</param>
/// <param name="Source">The node that stored it and its prefix (our own ID for our own records).</param>
/// <param name="StoredAt">When it was first stored or last replaced.</param>
/// <param name="ExpiresAt">When it is dropped unless refreshed.</param>
public sealed record StoredValue(ValueRecord Record, RecordSource Source, DateTimeOffset StoredAt, DateTimeOffset ExpiresAt);

/// <summary>A topic a store holds providers of.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Providers">Live providers held.</param>
/// <param name="ExpiresAt">When the last of them is dropped unless refreshed.</param>
public sealed record StoredTopic(NodeId Topic, int Providers, DateTimeOffset ExpiresAt);

/// <summary>Counts and sizes of a record store.</summary>
/// <param name="Values">Live value records.</param>
/// <param name="Providers">Live provider records across all topics.</param>
/// <param name="Topics">Topics with at least one provider.</param>
/// <param name="Bytes">Bytes of stored records, each counted as encoded on the wire (see <c>docs/PROTOCOL.md</c>, "Records").</param>
public readonly record struct RecordStoreStatistics(int Values, int Providers, int Topics, long Bytes);

/// <summary>Why a store refused a record; <see cref="None"/> when it stored it.</summary>
public enum StoreError
{
    /// <summary>Stored (or refreshed).</summary>
    None,

    /// <summary>The record is larger than the store accepts.</summary>
    TooLarge,

    /// <summary>A mutable record with a higher sequence (or the same sequence and another value) is stored.</summary>
    StaleSequence,

    /// <summary>Compare-and-swap failed: the stored sequence is not the expected one.</summary>
    SequenceMismatch,

    /// <summary>
    /// A quota (per topic, per source, per prefix or total) is full and nothing could be evicted for the
    /// record under the store's fairness rules.
    /// </summary>
    QuotaExceeded,

    /// <summary>
    /// The store cannot write now (its disk is full, its database is locked or failing) and refuses new
    /// records until it can; it still serves what it holds. On the wire a PUT is answered
    /// QUOTA_EXCEEDED, the status of a store with no room.
    /// </summary>
    StoreFull,
}
