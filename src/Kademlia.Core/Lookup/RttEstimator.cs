namespace Kademlia.Lookup;

/// <summary>
/// RFC 6298 smoothing of round-trip samples (SRTT and RTTVAR), giving a timeout of SRTT + 4·RTTVAR
/// within bounds. A lookup keeps one to time out peers it has never measured: after a few answers it
/// knows how fast this part of the network is, far better than a fixed worst case.
/// </summary>
internal struct RttEstimator
{
    private long _smoothedTicks;
    private long _varianceTicks;

    public bool HasSamples { get; private set; }

    public void Add(TimeSpan sample)
    {
        var ticks = Math.Max(0, sample.Ticks);
        if (!HasSamples)
        {
            _smoothedTicks = ticks;
            _varianceTicks = ticks / 2;
            HasSamples = true;
            return;
        }

        _varianceTicks += (Math.Abs(_smoothedTicks - ticks) - _varianceTicks) / 4;
        _smoothedTicks += (ticks - _smoothedTicks) / 8;
    }

    public readonly TimeSpan Timeout(TimeSpan min, TimeSpan max)
    {
        if (!HasSamples)
        {
            return max;
        }

        var timeout = TimeSpan.FromTicks(_smoothedTicks + (4 * _varianceTicks));
        return timeout < min ? min : timeout > max ? max : timeout;
    }
}
