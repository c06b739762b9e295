using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Records.Internal;
using Kademlia.Wire;

namespace Kademlia.Sqlite.Internal;

/// <summary>
/// Turns the changes <see cref="MemoryRecordStore"/> makes into database writes for the
/// <see cref="SqliteWriter"/>. Runs on the caller's thread (the node loop): it only encodes and queues.
/// </summary>
internal sealed class SqliteRecordJournal(SqliteRecordStore store) : IRecordStoreJournal
{
    public void ValueStored(StoredValue value) =>
        store.Enqueue(new WriteOp(new WriteTarget(value.Record.Key, default, IsProvider: false), MessageCodec.EncodeRecord(value.Record),
            value.Source, value.StoredAt.UtcTicks, value.ExpiresAt.UtcTicks));

    public void ValueRemoved(NodeId key) => store.Enqueue(WriteOp.Delete(new WriteTarget(key, default, IsProvider: false)));

    public void ProviderStored(StoredProvider provider) =>
        store.Enqueue(new WriteOp(new WriteTarget(provider.Record.Topic, provider.ProviderId, IsProvider: true), MessageCodec.EncodeProvider(provider.Record),
            provider.Source, provider.StoredAt.UtcTicks, provider.ExpiresAt.UtcTicks));

    public void ProviderRemoved(NodeId topic, NodeId provider) => store.Enqueue(WriteOp.Delete(new WriteTarget(topic, provider, IsProvider: true)));
}

/// <summary>A row: a value by key, or a provider entry by topic and provider ID.</summary>
internal readonly record struct WriteTarget(NodeId Key, NodeId Provider, bool IsProvider);

/// <summary>An upsert of <see cref="Target"/> (with its encoded record) or, when <see cref="Record"/> is null, its deletion.</summary>
internal readonly record struct WriteOp(WriteTarget Target, byte[]? Record, RecordSource Source, long StoredAtTicks, long ExpiresAtTicks)
{
    public static WriteOp Delete(WriteTarget target) => new(target, null, default, 0, 0);
}
