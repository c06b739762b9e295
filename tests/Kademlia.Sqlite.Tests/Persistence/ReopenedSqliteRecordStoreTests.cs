using Kademlia.Identity;
using Kademlia.Sqlite;
using Kademlia.Records;
using Kademlia.Tests.Records;

namespace Kademlia.Tests.Persistence;

/// <summary>
/// The record store contract against a SQLite store that is closed and reopened from its file after
/// every write: whatever the rules decided must be exactly what the database holds.
/// </summary>
public sealed class ReopenedSqliteRecordStoreTests : RecordStoreContract, IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly List<ReopeningStore> _opened = [];
    private int _databases;

    protected override long PropertyIterations => 30;

    /// <summary>What <see cref="IRecordStore.RemoveExpired"/> has yet to report lives in the process, not the file.</summary>
    protected override bool ReportsAcrossReopen => false;

    protected override IRecordStore Create(NodeId self, RecordStoreLimits? limits = null)
    {
        // CsCheck runs a property's samples on several threads: the counter and the list are shared.
        var store = new ReopeningStore(_directory.File($"reopened-{Interlocked.Increment(ref _databases)}.db"), self, limits);
        lock (_opened)
        {
            _opened.Add(store);
        }

        return store;
    }

    public void Dispose()
    {
        foreach (var store in _opened)
        {
            store.Dispose();
        }

        _directory.Dispose();
    }

    private sealed class ReopeningStore(string path, NodeId self, RecordStoreLimits? limits) : IRecordStore, IDisposable
    {
        private SqliteRecordStore _store = SqliteRecordStore.Open(path, self, DateTimeOffset.MinValue, limits);

        public DateTimeOffset? NextExpiry => _store.NextExpiry;

        public RecordStoreStatistics Statistics => _store.Statistics;

        public StoreError Put(ValueRecord record, RecordSource source, DateTimeOffset now, DateTimeOffset expiresAt, ulong? expectedSequence = null) =>
            Reopen(_store.Put(record, source, now, expiresAt, expectedSequence));

        public StoredValue? Get(NodeId key, DateTimeOffset now) => _store.Get(key, now);

        public StoreError AddProvider(ProviderRecord record, RecordSource source, DateTimeOffset now, DateTimeOffset expiresAt) =>
            Reopen(_store.AddProvider(record, source, now, expiresAt));

        public IReadOnlyList<ProviderRecord> GetProviders(NodeId topic, DateTimeOffset now, int max) => _store.GetProviders(topic, now, max);

        public IReadOnlyList<NodeId> RemoveExpired(DateTimeOffset now) => _store.RemoveExpired(now);

        public IReadOnlyList<StoredValue> Values(DateTimeOffset now) => _store.Values(now);

        public IReadOnlyList<StoredTopic> Topics(DateTimeOffset now) => _store.Topics(now);

        public void Dispose() => _store.Dispose();

        private T Reopen<T>(T result)
        {
            // Reopened as of the start of time, so that the open itself purges nothing: what is loaded
            // is exactly what the write left in the file.
            _store.Dispose();
            _store = SqliteRecordStore.Open(path, self, DateTimeOffset.MinValue, limits);
            return result;
        }
    }
}
