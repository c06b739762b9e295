using Kademlia.Identity;
using Kademlia.Records;

namespace Kademlia.Tests.Faults;

/// <summary>
/// A <see cref="MemoryRecordStore"/> whose puts fail or block on demand, as a disk that fills up or a
/// database another process holds locked.
/// </summary>
internal sealed class FaultyStore(NodeId self) : IRecordStore
{
    private readonly MemoryRecordStore _inner = new(self);
    private readonly ManualResetEventSlim _gate = new(initialState: true);
    private Exception? _nextPutFailure;

    /// <summary>Completes when a put waits at a closed gate (<see cref="BlockPuts"/>).</summary>
    public TaskCompletionSource PutBlocked { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DateTimeOffset? NextExpiry => _inner.NextExpiry;

    public RecordStoreStatistics Statistics => _inner.Statistics;

    /// <summary>The next put throws <paramref name="failure"/>; later ones succeed.</summary>
    public void FailNextPut(Exception failure) => Volatile.Write(ref _nextPutFailure, failure);

    /// <summary>Puts wait (on the calling thread, which is the node's loop) until <see cref="ReleasePuts"/>.</summary>
    public void BlockPuts()
    {
        PutBlocked = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _gate.Reset();
    }

    public void ReleasePuts() => _gate.Set();

    public StoreError Put(ValueRecord record, RecordSource source, DateTimeOffset now, DateTimeOffset expiresAt, ulong? expectedSequence = null)
    {
        if (Interlocked.Exchange(ref _nextPutFailure, null) is { } failure)
        {
            throw failure;
        }

        if (!_gate.IsSet)
        {
            PutBlocked.TrySetResult();
            _gate.Wait();
        }

        return _inner.Put(record, source, now, expiresAt, expectedSequence);
    }

    public StoredValue? Get(NodeId key, DateTimeOffset now) => _inner.Get(key, now);

    public StoreError AddProvider(ProviderRecord record, RecordSource source, DateTimeOffset now, DateTimeOffset expiresAt) => _inner.AddProvider(record, source, now, expiresAt);

    public IReadOnlyList<ProviderRecord> GetProviders(NodeId topic, DateTimeOffset now, int max) => _inner.GetProviders(topic, now, max);

    public IReadOnlyList<NodeId> RemoveExpired(DateTimeOffset now) => _inner.RemoveExpired(now);

    public IReadOnlyList<StoredValue> Values(DateTimeOffset now) => _inner.Values(now);

    public IReadOnlyList<StoredTopic> Topics(DateTimeOffset now) => _inner.Topics(now);
}
