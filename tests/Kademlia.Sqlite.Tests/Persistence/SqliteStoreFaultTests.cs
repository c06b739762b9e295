using System.Runtime.CompilerServices;
using Kademlia.Sqlite;
using Kademlia.Records;
using Microsoft.Data.Sqlite;
using static Kademlia.Tests.Records.RecordFixtures;

namespace Kademlia.Tests.Persistence;

/// <summary>
/// Issue 12, item 1: a database that cannot be written (locked by another process, full) makes the
/// store refuse new records and keep serving the ones it holds, never fail or block its caller, and
/// take records again once the fault clears.
/// </summary>
public sealed class SqliteStoreFaultTests : IDisposable
{
    /// <summary>A guard against a hung test, never a claim about speed.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static ImmutableRecord Large(int index) => ImmutableRecord.Create([.. BitConverter.GetBytes(index), .. new byte[900]]);

    /// <summary>Waits for the store's writer; the deadline only turns a hang into a failure.</summary>
    private static void WaitUntil(Func<bool> condition, [CallerArgumentExpression(nameof(condition))] string what = "")
    {
        var deadline = DateTime.UtcNow + Guard;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"never became true: {what}");
            Thread.Sleep(10);
        }
    }

    [Fact]
    public void A_locked_database_refuses_new_records_serves_held_ones_and_recovers_when_released()
    {
        var path = _directory.File("locked.db");
        var topic = Topic("lobby");
        using (var store = SqliteRecordStore.Open(path, Self, T0))
        {
            Assert.Equal(StoreError.None, store.Put(Immutable(1), SourceA, T0, T0.AddHours(1)));
            WaitUntil(() => store.Health.PendingWrites == 0);

            // Another process takes the write lock and keeps it (the attack of issue 12).
            using var other = new SqliteConnection($"Data Source={path};Pooling=False");
            other.Open();
            var hold = other.BeginTransaction(deferred: false);

            // The store does not know yet: this one is accepted, and its write is what fails.
            Assert.Equal(StoreError.None, store.Put(Immutable(2), SourceA, T0, T0.AddHours(1)));
            WaitUntil(() => !store.Health.IsWritable);
            Assert.Contains("locked", store.Health.Fault, StringComparison.OrdinalIgnoreCase);

            Assert.Equal(StoreError.StoreFull, store.Put(Immutable(3), SourceA, T0, T0.AddHours(1)));
            Assert.Equal(StoreError.StoreFull, store.AddProvider(Provider(0, topic, 100), SourceA, T0, T0.AddHours(1)));
            Assert.Equal(2, store.Health.RefusedWrites);
            Assert.NotNull(store.Get(Immutable(1).Key, T0));
            Assert.NotNull(store.Get(Immutable(2).Key, T0));
            Assert.Null(store.Get(Immutable(3).Key, T0));

            hold.Rollback();
            hold.Dispose();
            WaitUntil(() => store.Health is { IsWritable: true, PendingWrites: 0 });
            Assert.Equal(StoreError.None, store.Put(Immutable(4), SourceA, T0, T0.AddHours(1)));
            Assert.True(store.Health.FailedWrites >= 1);
        }

        // What was accepted reached the file, the queued write included; what was refused did not.
        using var reopened = SqliteRecordStore.Open(path, Self, T0);
        Assert.Equal(
            new[] { Immutable(1), Immutable(2), Immutable(4) }.Select(r => r.Key).Order(),
            reopened.Values(T0).Select(v => v.Record.Key).Order());
    }

    [Fact]
    public void A_full_database_refuses_new_records_until_expiry_makes_room()
    {
        var path = _directory.File("full.db");
        // A file that may not grow past a few pages: SQLite's "database or disk is full".
        using var store = SqliteRecordStore.Open(path, Self, T0, limits: null, logger: null, configure: connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA page_count";
            var pages = Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            command.CommandText = $"PRAGMA max_page_count = {pages + 4}";
            command.ExecuteNonQuery();
        });

        var accepted = new List<ImmutableRecord>();
        for (var i = 0; store.Health.IsWritable; i++)
        {
            Assert.True(i < 100, "the database never filled up");
            var record = Large(i);
            // The first eight (two leaf pages of four rows) expire within the hour, so that expiry can make room later.
            Assert.Equal(StoreError.None, store.Put(record, SourceA, T0, i < 8 ? T0.AddMinutes(30) : T0.AddHours(5)));
            accepted.Add(record);
            WaitUntil(() => store.Health.PendingWrites == 0 || !store.Health.IsWritable);
        }

        Assert.Contains("full", store.Health.Fault, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(StoreError.StoreFull, store.Put(Large(1000), SourceA, T0, T0.AddHours(5)));
        Assert.All(accepted, r => Assert.NotNull(store.Get(r.Key, T0)));

        // An hour later the first records expire; their deletion is written first and frees the pages
        // the waiting write needs.
        var later = T0.AddHours(1);
        Assert.NotEmpty(store.RemoveExpired(later));
        WaitUntil(() => store.Health is { IsWritable: true, PendingWrites: 0 });
        Assert.Equal(StoreError.None, store.Put(Large(1001), SourceA, later, later.AddHours(5)));
    }
}
