using System.Collections.Concurrent;
using System.Net;

namespace Kademlia.Internal;

/// <summary>
/// The addresses the node sent to recently, which the receive loop puts in the known peers' lane.
/// Aged in two generations: sends are recorded in the current one, and when it holds
/// <c>generationSize</c> addresses it becomes the previous one and the older is dropped. An address
/// sent to within the last generation or two is known; one not sent to for two generations is
/// forgotten. Before, one set was cleared whole at 65,536 addresses, which for a moment made every
/// peer a stranger.
/// </summary>
/// <remarks>Written by the node loop, read by the receive loop.</remarks>
internal sealed class RecentDestinations(int generationSize)
{
    private volatile ConcurrentDictionary<EndPoint, byte> _current = new();
    private volatile ConcurrentDictionary<EndPoint, byte> _previous = new();

    /// <summary>Whether <paramref name="address"/> was sent to within the last two generations.</summary>
    public bool Contains(EndPoint address) => _current.ContainsKey(address) || _previous.ContainsKey(address);

    /// <summary>Addresses remembered, both generations (an address in both counted twice).</summary>
    public int Count => _current.Count + _previous.Count;

    /// <summary>Records a send to <paramref name="address"/>.</summary>
    public void Add(EndPoint address)
    {
        var current = _current;
        if (current.ContainsKey(address))
        {
            return;
        }

        if (current.Count >= generationSize)
        {
            // The current generation becomes the previous one before the new one is visible, so a
            // reader never finds an address in neither.
            _previous = current;
            current = new ConcurrentDictionary<EndPoint, byte>();
            _current = current;
        }

        current.TryAdd(address, 0);
    }
}
