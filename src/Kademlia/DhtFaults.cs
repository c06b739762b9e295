namespace Kademlia;

/// <summary>
/// Exceptions a <see cref="DhtNode"/> contained instead of letting them stop its loop, by where they
/// were thrown. A node whose loop itself fails is faulted instead (see <see cref="DhtNode.Completion"/>).
/// </summary>
/// <param name="Operations">
/// Operations (put, get, statistics, ...) that failed their caller with an unexpected exception, such
/// as a record store that threw. Refusals of bad arguments are not counted.
/// </param>
/// <param name="Datagrams">Received datagrams whose handling threw; each was dropped.</param>
/// <param name="Timers">Timer passes (request deadlines, maintenance) that threw; the next pass runs no sooner than a second later.</param>
/// <param name="Observers">Loggers, meter listeners and activity listeners that threw; what they observed went on regardless.</param>
public readonly record struct DhtFaults(long Operations, long Datagrams, long Timers, long Observers)
{
    /// <summary>All contained exceptions.</summary>
    public long Total => Operations + Datagrams + Timers + Observers;
}
