namespace Kademlia.Internal;

/// <summary>
/// When an overload of a bounded queue begins, so that it is logged once per episode rather than once
/// per dropped item (a flood would otherwise turn into a flood of log lines). An episode begins with
/// the first refusal and ends when the queue is accepting again at no more than a quarter of its
/// capacity. The hysteresis keeps a queue that hovers at its bound from opening an episode per refusal;
/// a quarter, not a half, because the strangers' lane refuses a lone flooding source at half (its fair
/// share), so a flood that hovers there would otherwise open an episode per drained datagram.
/// Owned by one thread: the receive loop.
/// </summary>
internal struct OverloadEpisode
{
    private bool _overloaded;

    /// <summary>An item was refused; true when this refusal begins an episode.</summary>
    public bool Refused()
    {
        if (_overloaded)
        {
            return false;
        }

        _overloaded = true;
        return true;
    }

    /// <summary>An item was accepted with <paramref name="queued"/> of <paramref name="capacity"/> now in the queue.</summary>
    public void Accepted(int queued, int capacity)
    {
        if (queued <= capacity / 4)
        {
            _overloaded = false;
        }
    }
}
