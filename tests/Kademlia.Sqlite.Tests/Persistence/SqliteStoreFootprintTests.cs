using System.Diagnostics;
using Kademlia.Identity;
using Kademlia.Sqlite;
using Kademlia.Records;
using Kademlia.Routing;
using Xunit.Abstractions;
using static Kademlia.Tests.Records.RecordFixtures;

namespace Kademlia.Tests.Persistence;

/// <summary>
/// Issue 12, item 2: the byte quota bounds what the store really takes. A store is filled to its
/// quota (a bounded number of writes, each from a source in a prefix of its own, so that only the
/// totals bind), then the database file (WAL included) and the store's managed memory are measured
/// against <see cref="RecordStoreLimits.MaxBytes"/>. Before the fix 1 KB values took 4.5 KB of file
/// each and provider entries 1.1 KB of memory each, against 1 KB and 150 bytes counted.
/// </summary>
[Collection(nameof(SqliteStoreFootprintTests))]
public sealed class SqliteStoreFootprintTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Small enough for a test, large enough that the file's fixed pages do not matter.</summary>
    private const long Quota = 4L * 1024 * 1024;

    private static readonly RecordStoreLimits Limits = new()
    {
        MaxBytes = Quota,
        MaxRecordsPerSource = int.MaxValue,
        MaxRecordsPerPrefix = int.MaxValue,
    };

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Values_of_1_KB_filling_the_quota_keep_the_file_and_the_memory_below_it()
    {
        var value = new byte[RecordLimits.MaxValueSize];
        var footprint = Fill((store, i) =>
        {
            BitConverter.TryWriteBytes(value, i);
            return store.Put(ImmutableRecord.Create(value), SourceOf(i), T0, T0.AddHours(1));
        });

        Assert.True(footprint.Entries >= Quota / (RecordLimits.MaxValueSize + 60 + RecordStoreLimits.Default.EntryOverhead), $"only {footprint.Entries} values fitted");
        footprint.AssertWithinQuota();
    }

    [Fact]
    public void Provider_entries_filling_the_quota_keep_the_file_and_the_memory_below_it()
    {
        // Each in a topic of its own, as the 441,505 entries of the attack were spread over topics.
        var footprint = Fill((store, i) =>
            store.AddProvider(Provider(i % 8, Topic($"topic {i}"), 1_000, "table"), SourceOf(i), T0, T0.AddHours(1)));

        Assert.True(footprint.Entries >= Quota / (200 + RecordStoreLimits.Default.EntryOverhead), $"only {footprint.Entries} entries fitted");
        footprint.AssertWithinQuota();
    }

    private static RecordSource SourceOf(int i) => new(NodeId.Hash(BitConverter.GetBytes(i)), (1UL << 63) | (uint)i);

    /// <summary>
    /// Writes until the store is full (at most twice the entries the quota could hold at 1 byte
    /// each plus overhead), then measures the store's memory while it is open and the file after it
    /// closed, and the memory of the store reopened from that file.
    /// </summary>
    private Footprint Fill(Func<SqliteRecordStore, int, StoreError> write)
    {
        var path = _directory.File("footprint.db");
        var maxWrites = (int)(2 * Quota / RecordStoreLimits.Default.EntryOverhead);
        var before = ManagedBytes();
        var store = SqliteRecordStore.Open(path, Self, T0, Limits);
        var stored = 0;
        for (var i = 0; i < maxWrites; i++)
        {
            stored += write(store, i) == StoreError.None ? 1 : 0;
        }

        var statistics = store.Statistics;
        WaitForWriter(store);
        var memory = ManagedBytes() - before;
        store.Dispose();
        var file = FileBytes(path);

        before = ManagedBytes();
        var reopened = SqliteRecordStore.Open(path, Self, T0, Limits);
        var reopenedMemory = ManagedBytes() - before;
        Assert.Equal(statistics, reopened.Statistics);
        reopened.Dispose();

        var entries = statistics.Values + statistics.Providers;
        output.WriteLine($"{stored} writes accepted of {maxWrites}; {entries} entries kept, {statistics.Bytes:N0} bytes counted of {Quota:N0}");
        output.WriteLine($"file {file:N0} bytes ({(double)file / entries:F0} per entry), memory {memory:N0} bytes open, {reopenedMemory:N0} reopened ({(double)memory / entries:F0} per entry)");
        return new Footprint(entries, statistics.Bytes, file, Math.Max(memory, reopenedMemory));
    }

    private static void WaitForWriter(SqliteRecordStore store)
    {
        var clock = Stopwatch.StartNew();
        while (store.Health.PendingWrites > 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), "the writer did not drain its queue");
            Thread.Sleep(10);
        }
    }

    private static long ManagedBytes() => GC.GetTotalMemory(forceFullCollection: true);

    /// <summary>The database and its WAL, if any is left.</summary>
    private static long FileBytes(string path) =>
        new[] { path, path + "-wal" }.Where(File.Exists).Sum(p => new FileInfo(p).Length);

    private sealed record Footprint(long Entries, long CountedBytes, long FileBytes, long MemoryBytes)
    {
        public void AssertWithinQuota()
        {
            Assert.True(CountedBytes <= Quota);
            Assert.True(FileBytes <= Quota, $"the file took {FileBytes:N0} bytes for a quota of {Quota:N0}");
            Assert.True(MemoryBytes <= Quota, $"the store took {MemoryBytes:N0} bytes of memory for a quota of {Quota:N0}");
        }
    }
}

/// <summary>Runs the footprint tests alone: other tests allocating meanwhile would be measured with them.</summary>
[CollectionDefinition(nameof(SqliteStoreFootprintTests), DisableParallelization = true)]
public sealed class SqliteStoreFootprintCollection;
