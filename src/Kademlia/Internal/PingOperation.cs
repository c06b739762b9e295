using System.Threading.Tasks.Sources;
using Kademlia.Engine;
using Kademlia.Routing;

namespace Kademlia.Internal;

/// <summary>
/// One <see cref="DhtNode.PingAsync(NodeInfo, CancellationToken)"/> in progress: the inbox item the loop
/// starts, and the source of the caller's <see cref="ValueTask{TResult}"/>. Reused through
/// <see cref="PingOperationPool"/> once the caller has its result, so a ping allocates no task, no
/// completion source and no closure.
/// </summary>
/// <remarks>
/// <para>Three parties may end it, exactly one wins (<see cref="_state"/>): the loop with the engine's
/// result (<see cref="Complete"/>), the loop or disposal with a fault (<see cref="Fail"/>), or the
/// caller's token (<see cref="Cancel"/>). Continuations run on the thread pool, unless the node prefers
/// inline scheduling (<see cref="DhtNodeOptions.UnsafePreferInlineScheduling"/>): then on the thread that
/// ends the operation, once it has let go of the engine (<see cref="InlineCompletions"/>).</para>
/// <para>An operation goes back to the pool only when the loop ended it, since then the loop holds no
/// reference to it any more; a cancelled one may still sit in the inbox or in the loop's table, so it is
/// left to the garbage collector.</para>
/// </remarks>
internal sealed class PingOperation(PingOperationPool pool, Action<PingOperation> forget, bool inline) : IValueTaskSource<PingResult>, IInlineCompletable
{
    private ManualResetValueTaskSourceCore<PingResult> _core = new() { RunContinuationsAsynchronously = !inline };
    private CancellationTokenRegistration _registration;
    private CancellationToken _token;
    private int _state;
    private bool _recycle;

    /// <summary>The node to ping.</summary>
    public NodeInfo Peer { get; private set; }

    /// <summary>The engine's query, set by the loop when it starts the ping.</summary>
    public QueryId Id { get; set; }

    /// <summary>Whether the caller's task has ended (any way).</summary>
    public bool IsCompleted => Volatile.Read(ref _state) != 0;

    /// <summary>Prepares a ping of <paramref name="peer"/> and returns the caller's task; the loop starts it.</summary>
    public ValueTask<PingResult> Begin(NodeInfo peer, CancellationToken cancellationToken)
    {
        Peer = peer;
        Id = default;
        _token = cancellationToken;
        _recycle = false;
        Volatile.Write(ref _state, 0);
        var task = new ValueTask<PingResult>(this, _core.Version);
        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.UnsafeRegister(static state => ((PingOperation)state!).Cancel(), this);
        }

        return task;
    }

    /// <summary>Ends the caller's task with the engine's result (the loop).</summary>
    public void Complete(PingResult result)
    {
        if (TryEnd())
        {
            _recycle = true;
            _core.SetResult(result);
        }
    }

    /// <summary>Ends the caller's task with <paramref name="exception"/> (the loop, or disposal).</summary>
    public void Fail(Exception exception)
    {
        if (TryEnd())
        {
            _recycle = true;
            _core.SetException(exception);
        }
    }

    /// <inheritdoc/>
    void IInlineCompletable.Complete(object? result, Exception? error)
    {
        if (error is null)
        {
            Complete((PingResult)result!);
        }
        else
        {
            Fail(error);
        }
    }

    /// <inheritdoc/>
    public PingResult GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            if (_recycle)
            {
                _core.Reset();
                _registration = default;
                _token = default;
                pool.Return(this);
            }
        }
    }

    /// <inheritdoc/>
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    /// <inheritdoc/>
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void Cancel()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            return;
        }

        // The caller's task ends now, on the cancelling thread, whatever the loop is doing; the loop
        // forgets the query when it gets to it.
        _core.SetException(new OperationCanceledException(_token));
        forget(this);
    }

    private bool TryEnd()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            return false;
        }

        // Not Dispose: that would wait for a cancellation callback already running, which has lost the race anyway.
        _registration.Unregister();
        return true;
    }
}
