namespace Kademlia.Tests.Faults;

/// <summary>
/// A clock stopped at one instant (so no request of the node ever times out on its own) that throws
/// from <see cref="GetUtcNow"/> once <see cref="Fail"/> is called: a fault in the loop's own machinery.
/// </summary>
internal sealed class FaultyClock : TimeProvider
{
    private readonly DateTimeOffset _now = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private volatile Exception? _failure;

    public void Fail(Exception failure) => _failure = failure;

    public override DateTimeOffset GetUtcNow() => _failure is { } failure ? throw failure : _now;
}
