using System.Net;
using System.Text;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Sqlite;
using Kademlia.Records;
using Kademlia.Wire;
using Microsoft.Data.Sqlite;

namespace Kademlia.Tests.Faults;

/// <summary>
/// Issue 12, item 1, over loopback: a node whose SQLite database another process has locked keeps
/// routing and serving what it holds, answers stores with QUOTA_EXCEEDED instead of going silent, and
/// takes records again once the lock is released.
/// </summary>
public sealed class StorageFaultTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kad-storage-fault-").FullName;

    private static CancellationToken Guard() => new CancellationTokenSource(LoopbackNetwork.Guard).Token;

    // The answers this test counts all come from live nodes, so a patient minimum timeout keeps a stall
    // of the test machine (CI once stalled past the test network's 250 ms beside other tests) from
    // turning into a lost PUT answer; only the requests to the client after it stopped wait it out.
    private static readonly NetworkParameters Patient = NetworkParameters.Test with { MinRequestTimeout = TimeSpan.FromSeconds(2) };

    private static DhtNodeOptions Options(NodeIdentity? identity = null, IRecordStore? store = null) =>
        new() { Network = Patient, Bind = new IPEndPoint(IPAddress.Loopback, 0), Identity = identity, Store = store };

    private static ImmutableRecord NewRecord(string text) => ImmutableRecord.Create(Encoding.UTF8.GetBytes($"{text} {Guid.NewGuid()}"));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static void AssertStoredOnce(StoreResult result) =>
        Assert.True(
            result.Stored == 1,
            $"stored on {result.Stored} of {result.Attempted} attempted; rejections: {string.Join(", ", result.Rejections.Select(r => $"{r.Key} x{r.Value}"))}");

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var guard = new CancellationTokenSource(LoopbackNetwork.Guard);
        while (!condition())
        {
            await Task.Delay(10, guard.Token);
        }
    }

    [Fact]
    public async Task A_node_whose_database_is_locked_keeps_serving_refuses_stores_and_recovers()
    {
        var path = Path.Combine(_directory, "records.db");
        using var identity = NodeIdentity.Generate(NetworkParameters.Test);
        using var store = SqliteRecordStore.Open(path, identity.Id, DateTimeOffset.UtcNow);
        var held = NewRecord("held");
        var acceptedUnderLock = NewRecord("accepted while the lock was unknown");
        var refused = NewRecord("refused");
        var afterwards = NewRecord("after the lock");
        await using (var server = await DhtNode.StartAsync(Options(identity, store)))
        {
            await using (var client = await DhtNode.StartAsync(Options()))
            {
                Assert.True((await client.BootstrapAsync([server.ContactString], Guard())).Succeeded);
                AssertStoredOnce(await client.PutAsync(held, cancellationToken: Guard()));

                // Another process holds the database's write lock, as in the attack of issue 12.
                using var other = new SqliteConnection($"Data Source={path};Pooling=False");
                other.Open();
                using (var hold = other.BeginTransaction(deferred: false))
                {
                    // The first store after the lock is accepted; its write, on the store's own task, fails.
                    AssertStoredOnce(await client.PutAsync(acceptedUnderLock, cancellationToken: Guard()));
                    await WaitUntilAsync(() => !store.Health.IsWritable);

                    var put = await client.PutAsync(refused, cancellationToken: Guard());
                    Assert.Equal(0, put.Stored);
                    Assert.Equal(1, put.Rejections.GetValueOrDefault(PutStatus.QuotaExceeded));

                    // Routing and reads go on: a newcomer joins through the server alone and reads
                    // what it holds (the client, which has a copy too, is gone first).
                    await client.DisposeAsync();
                    await using var reader = await DhtNode.StartAsync(Options());
                    Assert.True((await reader.BootstrapAsync([server.ContactString], Guard())).Succeeded);
                    var got = await reader.GetAsync(held.Key, RecordKind.Immutable, Guard());
                    Assert.Equal(held.Value.ToArray(), got.Record?.Value.ToArray());
                    Assert.Equal(2, (await server.GetStatisticsAsync(Guard())).Records.Values);

                    hold.Rollback();
                    await WaitUntilAsync(() => store.Health is { IsWritable: true, PendingWrites: 0 });
                    AssertStoredOnce(await reader.PutAsync(afterwards, cancellationToken: Guard()));
                    Assert.Equal(0, (await server.GetStatisticsAsync(Guard())).Faults.Total);
                }
            }
        }

        store.Dispose();
        using var reopened = SqliteRecordStore.Open(path, identity.Id, DateTimeOffset.UtcNow);
        var keys = reopened.Values(DateTimeOffset.UtcNow).Select(v => v.Record.Key).ToHashSet();
        Assert.Contains(held.Key, keys);
        Assert.Contains(acceptedUnderLock.Key, keys);
        Assert.Contains(afterwards.Key, keys);
        Assert.DoesNotContain(refused.Key, keys);
    }
}
