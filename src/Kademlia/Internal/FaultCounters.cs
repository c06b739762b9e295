namespace Kademlia.Internal;

/// <summary>
/// The counts behind <see cref="DhtFaults"/>. Written by the loop, the receive task and any thread that
/// logs, so every count is interlocked.
/// </summary>
internal sealed class FaultCounters
{
    private long _operations;
    private long _datagrams;
    private long _timers;
    private long _observers;

    public long OperationFailed() => Interlocked.Increment(ref _operations);

    public long DatagramFailed() => Interlocked.Increment(ref _datagrams);

    public long TimerFailed() => Interlocked.Increment(ref _timers);

    public long ObserverFailed() => Interlocked.Increment(ref _observers);

    public DhtFaults Snapshot() => new(Interlocked.Read(ref _operations), Interlocked.Read(ref _datagrams), Interlocked.Read(ref _timers), Interlocked.Read(ref _observers));

    /// <summary>
    /// Whether the <paramref name="count"/>-th failure of a kind is logged: the 1st, 2nd, 4th, 8th...,
    /// so a failure repeated by every packet of a flood costs a logarithmic number of log lines.
    /// </summary>
    public static bool ShouldLog(long count) => (count & (count - 1)) == 0;
}
