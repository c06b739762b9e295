using Kademlia.Engine;
using Kademlia.Engine.Internal;

namespace Kademlia.Tests.Engine.Internal;

public sealed class QueryWakeupsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_rescheduled_query_wakes_only_at_its_latest_time()
    {
        var wakeups = new QueryWakeups();
        var query = new QueryId(1);
        wakeups.Schedule(query, T0.AddSeconds(5));
        wakeups.Schedule(query, T0.AddSeconds(20));
        Assert.Equal(T0.AddSeconds(20), wakeups.Next());
        Assert.False(wakeups.TryTakeDue(T0.AddSeconds(10), out _));
        Assert.True(wakeups.TryTakeDue(T0.AddSeconds(20), out var due));
        Assert.Equal(query, due);
        Assert.False(wakeups.TryTakeDue(T0.AddSeconds(60), out _));
    }

    [Fact]
    public void Due_queries_come_out_earliest_first_and_removed_or_unscheduled_ones_never()
    {
        var wakeups = new QueryWakeups();
        wakeups.Schedule(new QueryId(1), T0.AddSeconds(3));
        wakeups.Schedule(new QueryId(2), T0.AddSeconds(1));
        wakeups.Schedule(new QueryId(3), T0.AddSeconds(2));
        wakeups.Schedule(new QueryId(4), T0.AddSeconds(2));
        wakeups.Remove(new QueryId(3));
        wakeups.Schedule(new QueryId(4), null); // now waits for an answer only

        var order = new List<long>();
        while (wakeups.TryTakeDue(T0.AddSeconds(10), out var query))
        {
            order.Add(query.Value);
        }

        Assert.Equal([2L, 1L], order);
        Assert.Null(wakeups.Next());
    }
}
