using System.Net;

namespace Kademlia.Simulation;

/// <summary>
/// One translation of a <see cref="Nat"/>: an inside endpoint's datagrams leave from <see cref="Outside"/>,
/// and datagrams to <see cref="Outside"/> go back to <see cref="Inside"/> when the filtering admits them.
/// </summary>
/// <remarks>
/// Besides the mapping's own idle timer, each destination sent to holds a permission with its own timer
/// (as a connection-tracking router keeps one entry per flow): under address-dependent or
/// address-and-port-dependent filtering, a peer that was last sent to longer ago than the timeout is
/// filtered even while traffic to other peers keeps the mapping alive.
/// </remarks>
public sealed class NatMapping
{
    private readonly Dictionary<IPEndPoint, DateTimeOffset> _sentToEndpoint = [];
    private readonly Dictionary<IPAddress, DateTimeOffset> _sentToAddress = [];
    private readonly TimeSpan _timeout;

    internal NatMapping(IPEndPoint inside, IPEndPoint outside, IPEndPoint destination, DateTimeOffset createdAt, TimeSpan timeout)
    {
        Inside = inside;
        Outside = outside;
        Destination = destination;
        CreatedAt = createdAt;
        LastRefreshed = createdAt;
        _timeout = timeout;
    }

    /// <summary>The inside endpoint translated.</summary>
    public IPEndPoint Inside { get; }

    /// <summary>The endpoint the inside endpoint's datagrams leave from, and the one peers answer to.</summary>
    public IPEndPoint Outside { get; }

    /// <summary>
    /// The destination of the datagram that created the mapping. Under endpoint-independent mapping later
    /// datagrams to other destinations share it; otherwise they all match it in address (and port).
    /// </summary>
    public IPEndPoint Destination { get; }

    /// <summary>When the first datagram created the mapping.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>The last traffic that refreshed the idle timer (outbound, and inbound when the NAT refreshes both ways).</summary>
    public DateTimeOffset LastRefreshed { get; private set; }

    /// <summary>The instant the mapping is gone unless refreshed before it.</summary>
    public DateTimeOffset ExpiresAt => LastRefreshed + _timeout;

    /// <summary>The destinations whose permission is still live at <paramref name="now"/>.</summary>
    public IReadOnlyList<IPEndPoint> PermittedAt(DateTimeOffset now) =>
        [.. _sentToEndpoint.Where(p => now < p.Value + _timeout).Select(p => p.Key)];

    /// <summary>Whether the mapping is live at <paramref name="now"/>.</summary>
    public bool IsLiveAt(DateTimeOffset now) => now < ExpiresAt;

    internal void RecordOutbound(DateTimeOffset now, IPEndPoint destination)
    {
        LastRefreshed = now;
        _sentToEndpoint[new IPEndPoint(destination.Address, destination.Port)] = now;
        _sentToAddress[destination.Address] = now;
    }

    /// <summary>Refreshes the timer and the permissions <paramref name="source"/> already holds (never grants new ones).</summary>
    internal void RecordInbound(DateTimeOffset now, IPEndPoint source)
    {
        LastRefreshed = now;
        if (_sentToEndpoint.ContainsKey(source))
        {
            _sentToEndpoint[source] = now;
        }

        if (_sentToAddress.ContainsKey(source.Address))
        {
            _sentToAddress[source.Address] = now;
        }
    }

    internal bool Admits(DateTimeOffset now, IPEndPoint source, FilteringBehavior filtering) => filtering switch
    {
        FilteringBehavior.EndpointIndependent => true,
        FilteringBehavior.AddressDependent => _sentToAddress.TryGetValue(source.Address, out var at) && now < at + _timeout,
        _ => _sentToEndpoint.TryGetValue(source, out var at) && now < at + _timeout,
    };

    /// <summary>Forgets permissions that have expired, so a long-lived mapping does not grow without bound.</summary>
    internal void Prune(DateTimeOffset now)
    {
        foreach (var (endpoint, at) in _sentToEndpoint)
        {
            if (now >= at + _timeout)
            {
                _sentToEndpoint.Remove(endpoint);
            }
        }

        foreach (var (address, at) in _sentToAddress)
        {
            if (now >= at + _timeout)
            {
                _sentToAddress.Remove(address);
            }
        }
    }
}
