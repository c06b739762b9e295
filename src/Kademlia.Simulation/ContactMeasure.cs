namespace Kademlia.Simulation;

/// <summary>
/// What a simulated node has measured of one contact, by the rules of <see cref="Routing.Contact"/>:
/// SRTT and RTTVAR of RFC 6298 from the answers it received (SRTT += (R − SRTT)/8, RTTVAR += (|SRTT − R| − RTTVAR)/4;
/// the first sample sets SRTT = R, RTTVAR = R/2) and the requests in a row that went unanswered.
/// </summary>
internal struct ContactMeasure
{
    private int _smoothedRttMicros;
    private int _rttVarianceMicros;
    private bool _measured;

    /// <summary>Requests in a row that went unanswered; reset by an answer.</summary>
    public int ConsecutiveFailures { get; private set; }

    /// <summary>SRTT + 4·RTTVAR within [<paramref name="min"/>, <paramref name="max"/>], or null before the first answer (as the engine, which then uses the lookup's own estimate).</summary>
    public readonly TimeSpan? Timeout(TimeSpan min, TimeSpan max)
    {
        if (!_measured)
        {
            return null;
        }

        var timeout = TimeSpan.FromMicroseconds(_smoothedRttMicros + (4L * _rttVarianceMicros));
        return timeout < min ? min : timeout > max ? max : timeout;
    }

    /// <summary>An answer after <paramref name="rtt"/>.</summary>
    public void RecordSuccess(TimeSpan rtt)
    {
        var sample = (int)Math.Clamp(rtt.Ticks / TimeSpan.TicksPerMicrosecond, 0, int.MaxValue / 8);
        if (!_measured)
        {
            _smoothedRttMicros = sample;
            _rttVarianceMicros = sample / 2;
            _measured = true;
        }
        else
        {
            _rttVarianceMicros += (Math.Abs(_smoothedRttMicros - sample) - _rttVarianceMicros) / 4;
            _smoothedRttMicros += (sample - _smoothedRttMicros) / 8;
        }

        ConsecutiveFailures = 0;
    }

    /// <summary>An unanswered request.</summary>
    public void RecordFailure() => ConsecutiveFailures++;
}
