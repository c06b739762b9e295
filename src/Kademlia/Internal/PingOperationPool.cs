namespace Kademlia.Internal;

/// <summary>
/// Finished <see cref="PingOperation"/>s kept for the next pings of one node: as many as were ever in
/// flight at once, up to <see cref="MaxKept"/>.
/// </summary>
internal sealed class PingOperationPool(Action<PingOperation> forget, bool inline)
{
    /// <summary>Operations kept at most; more in flight at once are allocated and dropped after.</summary>
    public const int MaxKept = 1024;

    private readonly Stack<PingOperation> _kept = new();
    private readonly Lock _lock = new();

    /// <summary>A finished operation, or a new one.</summary>
    public PingOperation Rent()
    {
        lock (_lock)
        {
            if (_kept.TryPop(out var operation))
            {
                return operation;
            }
        }

        return new PingOperation(this, forget, inline);
    }

    /// <summary>Keeps <paramref name="operation"/>, whose caller has its result, for a later ping.</summary>
    public void Return(PingOperation operation)
    {
        lock (_lock)
        {
            if (_kept.Count < MaxKept)
            {
                _kept.Push(operation);
            }
        }
    }
}
