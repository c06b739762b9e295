using Kademlia.Identity;

namespace Kademlia.Records.Internal;

/// <summary>
/// Told every change <see cref="MemoryRecordStore"/> makes, in order, so that a durable store can
/// write the same changes through to disk while the rules live in one place.
/// </summary>
internal interface IRecordStoreJournal
{
    /// <summary>A value was stored, replaced or had its expiry extended: upsert it.</summary>
    void ValueStored(StoredValue value);

    /// <summary>The value under <paramref name="key"/> was removed (expired, evicted or displaced).</summary>
    void ValueRemoved(NodeId key);

    /// <summary>A provider entry was stored, replaced or had its expiry extended: upsert it.</summary>
    void ProviderStored(StoredProvider provider);

    /// <summary>The entry of <paramref name="provider"/> under <paramref name="topic"/> was removed.</summary>
    void ProviderRemoved(NodeId topic, NodeId provider);
}
