using System.Net;
using System.Net.Sockets;

namespace Kademlia.Internal;

/// <summary>
/// The receive thread's senders by socket address: a datagram from an address seen before reuses its
/// <see cref="IPEndPoint"/> instead of allocating one (and its address) per datagram. IPv4-mapped IPv6
/// senders are kept as IPv4. Bounded: when full it starts over.
/// </summary>
/// <remarks>Used by one thread only.</remarks>
internal sealed class SenderCache(AddressFamily family, int capacity = SenderCache.DefaultCapacity)
{
    /// <summary>Senders remembered at most before the cache starts over.</summary>
    public const int DefaultCapacity = 4096;

    private readonly Dictionary<SocketAddress, IPEndPoint> _senders = [];
    private readonly IPEndPoint _template = new(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);

    /// <summary>The endpoint of <paramref name="address"/> (which the caller reuses for the next receive).</summary>
    public IPEndPoint Get(SocketAddress address)
    {
        if (_senders.TryGetValue(address, out var known))
        {
            return known;
        }

        var endpoint = (IPEndPoint)_template.Create(address);
        if (endpoint.Address.IsIPv4MappedToIPv6)
        {
            endpoint = new IPEndPoint(endpoint.Address.MapToIPv4(), endpoint.Port);
        }

        if (_senders.Count >= capacity)
        {
            _senders.Clear();
        }

        var key = new SocketAddress(address.Family, address.Size);
        address.Buffer.Span[..address.Size].CopyTo(key.Buffer.Span);
        _senders[key] = endpoint;
        return endpoint;
    }
}
