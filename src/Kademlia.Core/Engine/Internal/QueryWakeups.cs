namespace Kademlia.Engine.Internal;

/// <summary>
/// When each waiting query wants to be driven again, as a lazy deadline queue: scheduling is O(log n),
/// the next wake-up a peek, and the due ones come out in order without copying the schedule.
/// </summary>
internal sealed class QueryWakeups
{
    private readonly Dictionary<QueryId, DateTimeOffset> _at = [];
    private readonly PriorityQueue<QueryId, DateTimeOffset> _queue = new();

    /// <summary>Wakes <paramref name="query"/> at <paramref name="at"/>, or never when null (it waits for an answer).</summary>
    public void Schedule(QueryId query, DateTimeOffset? at)
    {
        if (at is not { } when)
        {
            _at.Remove(query);
            return;
        }

        if (_at.TryGetValue(query, out var current) && current == when)
        {
            return;
        }

        _at[query] = when;
        _queue.Enqueue(query, when);
    }

    /// <summary>Forgets a finished or cancelled query.</summary>
    public void Remove(QueryId query) => _at.Remove(query);

    /// <summary>The earliest wake-up, or null.</summary>
    public DateTimeOffset? Next()
    {
        DropStale();
        return _queue.TryPeek(out _, out var at) ? at : null;
    }

    /// <summary>Takes the next query due at or before <paramref name="now"/>.</summary>
    public bool TryTakeDue(DateTimeOffset now, out QueryId query)
    {
        DropStale();
        if (_queue.TryPeek(out query, out var at) && at <= now)
        {
            _queue.Dequeue();
            _at.Remove(query);
            return true;
        }

        return false;
    }

    private void DropStale()
    {
        while (_queue.TryPeek(out var query, out var at) && (!_at.TryGetValue(query, out var current) || current != at))
        {
            _queue.Dequeue();
        }
    }
}
