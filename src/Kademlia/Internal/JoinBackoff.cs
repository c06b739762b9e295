namespace Kademlia.Internal;

/// <summary>
/// The waits between join attempts: exponential from <c>initial</c>, capped at <c>max</c>, each drawn
/// uniformly between half and all of the current step ("equal jitter"). The jitter is there for the
/// nodes of one machine or rack started together: without it they would knock on a slow seed in
/// lockstep, every attempt; the lower bound of half keeps a wait from collapsing to nothing.
/// </summary>
internal sealed class JoinBackoff
{
    private readonly TimeSpan _max;
    private readonly Random _random;
    private TimeSpan _step;

    public JoinBackoff(TimeSpan initial, TimeSpan max, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, initial);
        _step = initial;
        _max = max;
        _random = random;
    }

    /// <summary>The wait before the next attempt; each call doubles the step up to the cap.</summary>
    public TimeSpan Next()
    {
        var step = _step;
        _step = step >= _max / 2 ? _max : step * 2;
        return step / 2 + step / 2 * _random.NextDouble();
    }
}
