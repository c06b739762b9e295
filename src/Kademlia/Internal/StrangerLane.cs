using Kademlia.Routing;

namespace Kademlia.Internal;

/// <summary>
/// The part of the inbound queue for datagrams from addresses the node has not sent to (first contacts,
/// or a flood of junk), shared fairly between sources: a source may add a datagram only while it holds
/// fewer queued than there are free slots. One source alone so takes at most half the lane, k sources
/// at most 1/(k+1) each, and a source with nothing queued gets in whenever a slot is free, so one
/// socket of junk cannot crowd out newcomers' first packets (issue 12, item 10: before, one junk
/// socket made 3 of 10 newcomer pings fail).
/// </summary>
/// <remarks>
/// A source is an IP address, or an IP and port on loopback where every node of a machine shares one
/// address (<see cref="NodeEndpoint.Host"/>). Entered by the receive loop, left by the node loop.
/// </remarks>
internal sealed class StrangerLane(int capacity)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<NodeEndpoint, int> _bySource = [];
    private int _queued;

    /// <summary>Datagrams queued in the lane.</summary>
    public int Queued
    {
        get
        {
            lock (_gate)
            {
                return _queued;
            }
        }
    }

    /// <summary>The lane's size.</summary>
    public int Capacity => capacity;

    /// <summary>Takes a slot for a datagram from <paramref name="source"/>; false when it is refused.</summary>
    public bool TryEnter(NodeEndpoint source, out int queued)
    {
        lock (_gate)
        {
            var mine = _bySource.GetValueOrDefault(source);
            if (mine >= capacity - _queued)
            {
                queued = _queued;
                return false;
            }

            _bySource[source] = mine + 1;
            queued = ++_queued;
            return true;
        }
    }

    /// <summary>Gives back the slot of a datagram from <paramref name="source"/> that left the queue.</summary>
    public void Leave(NodeEndpoint source)
    {
        lock (_gate)
        {
            if (!_bySource.TryGetValue(source, out var mine))
            {
                return;
            }

            if (mine <= 1)
            {
                _bySource.Remove(source);
            }
            else
            {
                _bySource[source] = mine - 1;
            }

            _queued--;
        }
    }
}
