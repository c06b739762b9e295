namespace Kademlia.Engine.Internal;

/// <summary>
/// Whether the node is "under load" (docs/PROTOCOL.md, "Cookie reply"): the node's own measure, not any one
/// source's. It enters when handshake messages 1 from all sources together arrive faster than
/// <paramref name="enterPerSecond"/> in one second of virtual time, when the responder half of the pending
/// handshake table is at least <paramref name="enterOccupancy"/> full, or when one source exceeds its own
/// limit. It leaves only after <paramref name="hold"/> during which the rate stayed below
/// <paramref name="leavePerSecond"/> and the occupancy below <paramref name="leaveOccupancy"/> (hysteresis:
/// a flood cannot switch cookies off by pausing between bursts).
/// </summary>
internal sealed class HandshakeLoad(double enterPerSecond, double leavePerSecond, double enterOccupancy, double leaveOccupancy, TimeSpan hold)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private int _inWindow;
    private DateTimeOffset _lastBusy = DateTimeOffset.MinValue;

    /// <summary>Whether cookies are asked for now.</summary>
    public bool UnderLoad { get; private set; }

    /// <summary>A handshake message 1 arrived (from any source, before any limit).</summary>
    public void OnInitiation(DateTimeOffset now)
    {
        Roll(now);
        _inWindow++;
    }

    /// <summary>One source went over its own handshake rate: the node is under load at once.</summary>
    public void OnSourceOverLimit(DateTimeOffset now) => Busy(now, enter: true);

    /// <summary>Re-evaluates the state from the rate and the responder table's occupancy (0 to 1).</summary>
    public bool Update(DateTimeOffset now, double occupancy)
    {
        Roll(now);
        if (_inWindow > enterPerSecond || occupancy >= enterOccupancy)
        {
            Busy(now, enter: true);
        }
        else if (_inWindow >= leavePerSecond || occupancy >= leaveOccupancy)
        {
            Busy(now, enter: false);
        }

        if (UnderLoad && now - _lastBusy >= hold)
        {
            UnderLoad = false;
        }

        return UnderLoad;
    }

    /// <summary>When the state would next change by itself, so that the owner's timer can clear it.</summary>
    public DateTimeOffset? NextTimeout() => UnderLoad ? _lastBusy + hold : null;

    private void Busy(DateTimeOffset now, bool enter)
    {
        if (now > _lastBusy)
        {
            _lastBusy = now;
        }

        if (enter)
        {
            UnderLoad = true;
        }
    }

    private void Roll(DateTimeOffset now)
    {
        if (now - _windowStart < Window)
        {
            return;
        }

        // The window that just ended counts as busy (at its end) if it kept the rate at or above the lower threshold.
        if (_inWindow >= leavePerSecond && UnderLoad)
        {
            var end = _windowStart + Window;
            if (end > _lastBusy)
            {
                _lastBusy = end < now ? end : now;
            }
        }

        _windowStart = now;
        _inWindow = 0;
    }
}
