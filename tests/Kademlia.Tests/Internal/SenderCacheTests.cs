using System.Net;
using System.Net.Sockets;
using Kademlia.Internal;

namespace Kademlia.Tests.Internal;

public sealed class SenderCacheTests
{
    private static SocketAddress AddressOf(IPEndPoint endpoint) => endpoint.Serialize();

    [Fact]
    public void A_sender_seen_before_gets_the_same_endpoint_and_another_sender_its_own()
    {
        var cache = new SenderCache(AddressFamily.InterNetwork);
        var reused = new SocketAddress(AddressFamily.InterNetwork);
        AddressOf(new IPEndPoint(IPAddress.Loopback, 4000)).Buffer.CopyTo(reused.Buffer);
        var first = cache.Get(reused);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 4000), first);

        // The receive buffer is reused: the cache must have kept its own copy of the key.
        AddressOf(new IPEndPoint(IPAddress.Loopback, 4001)).Buffer.CopyTo(reused.Buffer);
        var second = cache.Get(reused);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 4001), second);

        AddressOf(new IPEndPoint(IPAddress.Loopback, 4000)).Buffer.CopyTo(reused.Buffer);
        Assert.Same(first, cache.Get(reused));
    }

    [Fact]
    public void An_ipv4_mapped_sender_on_a_dual_stack_socket_is_kept_as_ipv4()
    {
        var cache = new SenderCache(AddressFamily.InterNetworkV6);
        var mapped = new IPEndPoint(IPAddress.Parse("::ffff:192.0.2.7"), 5000);
        var endpoint = cache.Get(AddressOf(mapped));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.7"), 5000), endpoint);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 5001), cache.Get(AddressOf(new IPEndPoint(IPAddress.IPv6Loopback, 5001))));
    }

    [Fact]
    public void A_full_cache_starts_over_and_still_answers_right()
    {
        var cache = new SenderCache(AddressFamily.InterNetwork, capacity: 4);
        for (var port = 1; port <= 20; port++)
        {
            var endpoint = new IPEndPoint(IPAddress.Loopback, port);
            Assert.Equal(endpoint, cache.Get(AddressOf(endpoint)));
        }

        var again = new IPEndPoint(IPAddress.Loopback, 20);
        Assert.Same(cache.Get(AddressOf(again)), cache.Get(AddressOf(again)));
    }
}
