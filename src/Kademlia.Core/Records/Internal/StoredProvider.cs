using Kademlia.Identity;

namespace Kademlia.Records.Internal;

/// <summary>A stored provider entry and its bookkeeping, keyed by (topic, provider node ID).</summary>
/// <param name="Record">The signed provider record.</param>
/// <param name="Source">The node that stored it and its prefix.</param>
/// <param name="StoredAt">When it was first stored or last replaced.</param>
/// <param name="ExpiresAt">When it is dropped unless refreshed.</param>
internal sealed record StoredProvider(ProviderRecord Record, RecordSource Source, DateTimeOffset StoredAt, DateTimeOffset ExpiresAt)
{
    /// <summary>The provider's node ID, the second half of the entry's key.</summary>
    public NodeId ProviderId => Record.Provider.Id;

    /// <summary>
    /// The publication time the topic ranks the entry by: its claimed time, but no later than when it
    /// was stored, so that entries dated in the future (within the accepted clock skew) gain nothing.
    /// </summary>
    public long RankUnixSeconds => Math.Min(
        (long)Math.Min(Record.PublishedAtUnixSeconds, long.MaxValue), StoredAt.ToUnixTimeSeconds());
}
