using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Wire;

namespace Kademlia.Tests;

/// <summary>What a dashboard reads off a running node: lookup steps as they happen, the table, the store.</summary>
public sealed class ObservationTests
{
    [Fact]
    public async Task A_subscriber_with_lookup_steps_sees_each_answer_of_a_lookup_before_it_finishes()
    {
        await using var network = await LoopbackNetwork.StartAsync(8);
        using var guard = new CancellationTokenSource(LoopbackNetwork.Guard);
        var node = network.Nodes[3];
        var target = network.Nodes[6].Id;
        var steps = new List<LookupStepped>();
        var finished = new TaskCompletionSource<QueryId>(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watching = Task.Run(async () =>
        {
            var subscription = node.SubscribeAsync(includeLookupSteps: true, guard.Token).GetAsyncEnumerator(guard.Token);
            var next = subscription.MoveNextAsync();
            subscribed.SetResult();
            while (await next)
            {
                switch (subscription.Current)
                {
                    case LookupStepped step:
                        steps.Add(step);
                        break;
                    case QueryFinished done when steps.Any(s => s.Query == done.Query):
                        finished.TrySetResult(done.Query);
                        await subscription.DisposeAsync();
                        return;
                }

                next = subscription.MoveNextAsync();
            }
        });

        // MoveNextAsync queued the subscription on the node's loop before returning; the lookup queued
        // after it is reported to it.
        await subscribed.Task;
        var result = await node.FindNodeAsync(target, guard.Token);
        var query = await finished.Task.WaitAsync(guard.Token);
        await watching.WaitAsync(guard.Token);
        var mine = steps.Where(s => s.Query == query).ToList();
        Assert.NotEmpty(mine);
        Assert.All(mine, s => Assert.Equal(target, s.Target));
        Assert.All(mine, s => Assert.Equal(MessageType.FindNode, s.Request));
        Assert.Contains(mine, s => s.Peer == target && s.Rtt is not null);
        Assert.True(result.Succeeded);
    }

    [Fact]
    public async Task Lookup_steps_are_not_reported_to_a_plain_subscriber()
    {
        await using var network = await LoopbackNetwork.StartAsync(5);
        using var guard = new CancellationTokenSource(LoopbackNetwork.Guard);
        var node = network.Nodes[2];
        var events = new List<EngineEvent>();
        var got = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(guard.Token);
        var watching = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in node.SubscribeAsync(stop.Token))
                {
                    events.Add(e);
                    if (e is QueryFinished { Result: FindNodeResult })
                    {
                        got.TrySetResult();
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        while (!got.Task.IsCompleted)
        {
            await node.FindNodeAsync(network.Nodes[4].Id, guard.Token);
            await Task.WhenAny(got.Task, Task.Delay(200, guard.Token));
        }

        await stop.CancelAsync();
        await watching;
        Assert.DoesNotContain(events, e => e is LookupStepped);
    }

    [Fact]
    public async Task The_routing_table_and_held_records_are_read_with_their_measurements()
    {
        await using var network = await LoopbackNetwork.StartAsync(6);
        using var guard = new CancellationTokenSource(LoopbackNetwork.Guard);
        var node = network.Nodes[1];
        var record = ImmutableRecord.Create("dashboard"u8);
        await node.PutAsync(record, cancellationToken: guard.Token);

        var contacts = await node.GetRoutingTableAsync(guard.Token);
        Assert.Equal((await node.GetStatisticsAsync(guard.Token)).Engine.RoutingTableSize, contacts.Count);
        Assert.All(contacts, c => Assert.Equal(node.Id.CommonPrefixLength(c.Node.Id), c.Bucket));
        Assert.Contains(contacts, c => c.SmoothedRtt is not null);

        var held = await node.GetHeldRecordsAsync(guard.Token);
        var value = Assert.Single(held.Values, v => v.Record.Key == record.Key);
        Assert.True(value.ExpiresAt > DateTimeOffset.UtcNow);
        Assert.Empty(held.Topics);
    }
}
