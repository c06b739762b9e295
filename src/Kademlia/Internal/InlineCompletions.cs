namespace Kademlia.Internal;

/// <summary>An operation whose caller's task <see cref="InlineCompletions"/> ends once the node lets go of its engine.</summary>
internal interface IInlineCompletable
{
    /// <summary>Ends the caller's task with <paramref name="result"/>, or with <paramref name="error"/> when it is not null.</summary>
    void Complete(object? result, Exception? error);
}

/// <summary>
/// With <see cref="DhtNodeOptions.UnsafePreferInlineScheduling"/>, the results a node produced while it held
/// its engine: kept until the thread lets go of the engine and then delivered by it, so that a caller's code,
/// which then runs on that thread, never runs under the engine's lock (where it could stall every other
/// thread, or call back into the engine in the middle of its work).
/// </summary>
/// <remarks>Added to under the lock; <see cref="Take"/> under the lock; <see cref="Deliver"/> after it.</remarks>
internal sealed class InlineCompletions
{
    [ThreadStatic]
    private static List<Entry>? t_spare;

    private readonly List<Entry> _held = [];

    /// <summary>Keeps one result for <paramref name="target"/>.</summary>
    public void Add(IInlineCompletable target, object? result, Exception? error) => _held.Add(new Entry(target, result, error));

    /// <summary>What is held, now owned by the calling thread (null when nothing is); the lock is still held.</summary>
    public List<Entry>? Take()
    {
        if (_held.Count == 0)
        {
            return null;
        }

        // A thread delivering a batch may, through a caller's code, take another one: each takes a list of its own.
        var batch = t_spare ?? [];
        t_spare = null;
        batch.AddRange(_held);
        _held.Clear();
        return batch;
    }

    /// <summary>
    /// Delivers a batch from <see cref="Take"/>, after the lock is let go. What a caller's code throws is
    /// reported to <paramref name="failed"/> and never keeps the later entries from their callers.
    /// </summary>
    public static void Deliver(List<Entry>? batch, Action<Exception> failed)
    {
        if (batch is null)
        {
            return;
        }

        foreach (var entry in batch)
        {
            try
            {
                entry.Target.Complete(entry.Result, entry.Error);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failed(e);
            }
        }

        batch.Clear();
        t_spare = batch;
    }

    /// <summary>One held result.</summary>
    internal readonly record struct Entry(IInlineCompletable Target, object? Result, Exception? Error);
}
