using Kademlia.Identity;
using Kademlia.Sqlite;
using Kademlia.Records;
using Kademlia.Tests.Records;
using Microsoft.Data.Sqlite;
using static Kademlia.Tests.Records.RecordFixtures;

namespace Kademlia.Tests.Persistence;

/// <summary>The record store contract against the SQLite store, then what only a durable store does.</summary>
public sealed class SqliteRecordStoreTests : RecordStoreContract, IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly List<IDisposable> _opened = [];
    private int _databases;

    protected override long PropertyIterations => 60;

    protected override IRecordStore Create(NodeId self, RecordStoreLimits? limits = null) =>
        Track(SqliteRecordStore.Open(_directory.File($"records-{Interlocked.Increment(ref _databases)}.db"), self, T0, limits));

    public void Dispose()
    {
        foreach (var store in _opened)
        {
            store.Dispose();
        }

        _directory.Dispose();
    }

    [Fact]
    public void A_restart_keeps_live_records_and_drops_expired_ones()
    {
        var path = _directory.File("restart.db");
        var topic = Topic("game:poker");
        var mutable = Mutable(0, 7, "seven");
        StoredValue kept;
        List<ProviderRecord> providers;
        using (var store = SqliteRecordStore.Open(path, Self, T0))
        {
            store.Put(Immutable(1), SourceA, T0, T0.AddMinutes(10));
            store.Put(mutable, SourceB, T0.AddTicks(1234567), T0.AddHours(3));
            store.AddProvider(Provider(0, topic, 100, "table 1"), SourceA, T0, T0.AddMinutes(10));
            store.AddProvider(Provider(1, topic, 200, "table 2"), SourceB, T0, T0.AddHours(2));
            kept = store.Get(mutable.Key, T0.AddHours(1))!;
            providers = [.. store.GetProviders(topic, T0.AddHours(1), 10)];
        }

        using (var reopened = SqliteRecordStore.Open(path, Self, T0.AddHours(1)))
        {
            Assert.Equal(0, reopened.UnreadableRows);
            Assert.Equal([kept], reopened.Values(T0.AddHours(1)));
            Assert.Equal(T0.AddTicks(1234567), kept.StoredAt);
            Assert.Equal(providers, reopened.GetProviders(topic, T0.AddHours(1), 10));
            Assert.Equal(new RecordStoreStatistics(1, 1, 1, reopened.Statistics.Bytes), reopened.Statistics);
            Assert.Equal(T0.AddHours(2), reopened.NextExpiry);
            // The sequence rule still holds against what was reloaded.
            Assert.Equal(StoreError.StaleSequence, reopened.Put(Mutable(0, 6, "six"), SourceA, T0.AddHours(1), T0.AddHours(3)));
        }

        // The purge at open was written through: opened again "before" the expiry, the rows are gone.
        using var again = SqliteRecordStore.Open(path, Self, T0);
        Assert.Null(again.Get(Immutable(1).Key, T0));
        Assert.Equal(["table 2"], again.GetProviders(topic, T0, 10).Select(p => System.Text.Encoding.ASCII.GetString(p.ApplicationData.Span)));
    }

    [Fact]
    public void Remove_expired_and_evictions_are_written_through()
    {
        var path = _directory.File("through.db");
        var byDistance = Enumerable.Range(0, 10).Select(Immutable).OrderBy(r => r.Key ^ Self).ToArray();
        var limits = new RecordStoreLimits { MaxValues = 2 };
        using (var store = SqliteRecordStore.Open(path, Self, T0, limits))
        {
            store.Put(byDistance[5], SourceA, T0, T0.AddHours(1));
            store.Put(byDistance[3], SourceA, T0, T0.AddHours(9));
            Assert.Equal([byDistance[5].Key], store.RemoveExpired(T0.AddHours(2)));
            store.Put(byDistance[1], SourceA, T0.AddHours(2), T0.AddHours(9));
            store.Put(byDistance[2], SourceA, T0.AddHours(2), T0.AddHours(9));
        }

        // Opened "before" the expiry: the rows removed by expiry and by eviction are gone from the file.
        using var reopened = SqliteRecordStore.Open(path, Self, T0, limits);
        Assert.Equal([byDistance[1], byDistance[2]], reopened.Values(T0).Select(v => v.Record));
    }

    [Fact]
    public void Smaller_limits_at_reopen_evict_the_farthest_keys()
    {
        var path = _directory.File("shrink.db");
        var records = Enumerable.Range(0, 6).Select(Immutable).ToArray();
        using (var store = SqliteRecordStore.Open(path, Self, T0))
        {
            foreach (var record in records)
            {
                store.Put(record, SourceA, T0, T0.AddHours(1));
            }
        }

        using (var smaller = SqliteRecordStore.Open(path, Self, T0, new RecordStoreLimits { MaxValues = 2 }))
        {
            Assert.Equal(records.OrderBy(r => r.Key ^ Self).Take(2), smaller.Values(T0).Select(v => v.Record));
        }

        using var reopened = SqliteRecordStore.Open(path, Self, T0);
        Assert.Equal(2, reopened.Statistics.Values);
    }

    [Fact]
    public void Source_prefixes_survive_a_restart_so_the_prefix_quota_still_binds()
    {
        var path = _directory.File("prefixes.db");
        var limits = new RecordStoreLimits { MaxRecordsPerPrefix = 2 };
        var first = new RecordSource(SourceA, 0x8000_0000_00C0_A801);
        var sameSlash24 = new RecordSource(SourceB, first.Prefix);
        using (var store = SqliteRecordStore.Open(path, Self, T0, limits))
        {
            Assert.Equal(StoreError.None, store.Put(Immutable(1), first, T0, T0.AddHours(1)));
            Assert.Equal(StoreError.None, store.Put(Immutable(2), sameSlash24, T0, T0.AddHours(1)));
        }

        using var reopened = SqliteRecordStore.Open(path, Self, T0, limits);
        Assert.Equal(first, reopened.Get(Immutable(1).Key, T0)!.Source);
        Assert.Equal(StoreError.QuotaExceeded, reopened.Put(Immutable(3), new RecordSource(NodeId.Hash("c"u8), first.Prefix), T0, T0.AddHours(1)));
        Assert.Equal(StoreError.None, reopened.Put(Immutable(3), new RecordSource(NodeId.Hash("c"u8), first.Prefix + 1), T0, T0.AddHours(1)));
    }

    [Fact]
    public void A_version_1_file_is_migrated_with_its_rows_and_ID_derived_prefixes()
    {
        var path = _directory.File("version-1.db");
        using (var store = SqliteRecordStore.Open(path, Self, T0))
        {
            store.Put(Immutable(1), new RecordSource(SourceA, 42), T0, T0.AddHours(1));
            store.AddProvider(Provider(0, Topic("t"), 100), SourceB, T0, T0.AddHours(1));
        }

        // Rewrite the file in the version 1 layout: WITHOUT ROWID tables and no prefix column.
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                BEGIN;
                CREATE TABLE v1 (key BLOB PRIMARY KEY NOT NULL, record BLOB NOT NULL, source BLOB NOT NULL, stored_at INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
                INSERT INTO v1 SELECT key, record, source, stored_at, expires_at FROM value_record;
                DROP TABLE value_record;
                ALTER TABLE v1 RENAME TO value_record;
                CREATE TABLE p1 (topic BLOB NOT NULL, provider BLOB NOT NULL, record BLOB NOT NULL, source BLOB NOT NULL, stored_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (topic, provider)) WITHOUT ROWID;
                INSERT INTO p1 SELECT topic, provider, record, source, stored_at, expires_at FROM provider_record;
                DROP TABLE provider_record;
                ALTER TABLE p1 RENAME TO provider_record;
                PRAGMA user_version = 1;
                COMMIT;
                """;
            command.ExecuteNonQuery();
        }

        using (var migrated = SqliteRecordStore.Open(path, Self, T0))
        {
            Assert.Equal(0, migrated.UnreadableRows);
            Assert.Equal(RecordSource.ForId(SourceA), migrated.Get(Immutable(1).Key, T0)!.Source);
            Assert.Single(migrated.GetProviders(Topic("t"), T0, 10));
            migrated.Put(Immutable(2), new RecordSource(SourceB, 7), T0, T0.AddHours(1));
        }

        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version";
            Assert.Equal(2L, command.ExecuteScalar());
        }

        using var again = SqliteRecordStore.Open(path, Self, T0);
        Assert.Equal(new RecordSource(SourceB, 7), again.Get(Immutable(2).Key, T0)!.Source);
    }

    [Fact]
    public void A_row_that_does_not_decode_is_skipped_and_counted()
    {
        var path = _directory.File("rows.db");
        using (var store = SqliteRecordStore.Open(path, Self, T0))
        {
            store.Put(Immutable(1), SourceA, T0, T0.AddHours(1));
        }

        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO value_record (key, record, source, stored_at, expires_at) VALUES (zeroblob(32), x'0102', zeroblob(32), 0, 9223372036854775807)";
            command.ExecuteNonQuery();
        }

        using var reopened = SqliteRecordStore.Open(path, Self, T0);
        Assert.Equal(1, reopened.UnreadableRows);
        Assert.Equal(1, reopened.Statistics.Values);
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_reported_and_left_untouched()
    {
        var path = _directory.File("not-a-database.db");
        var bytes = "this is not a SQLite database, it is someone's notes, and they are long enough to have a header"u8.ToArray();
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<DataFileException>(() => SqliteRecordStore.Open(path, Self, T0));
        Assert.Equal(DataFileError.UnknownFormat, error.Reason);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void Another_applications_database_is_reported_and_left_untouched()
    {
        var path = _directory.File("other.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('keep me');";
            command.ExecuteNonQuery();
        }

        var bytes = File.ReadAllBytes(path);
        var error = Assert.Throws<DataFileException>(() => SqliteRecordStore.Open(path, Self, T0));
        Assert.Equal(DataFileError.UnknownFormat, error.Reason);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    /// <summary>CsCheck runs a property's samples on several threads: the list of stores to dispose is shared.</summary>
    private SqliteRecordStore Track(SqliteRecordStore store)
    {
        lock (_opened)
        {
            _opened.Add(store);
        }

        return store;
    }
}
