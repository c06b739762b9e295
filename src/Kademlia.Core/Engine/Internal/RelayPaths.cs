using System.Net;
using Kademlia.Identity;
using Kademlia.Routing;

namespace Kademlia.Engine.Internal;

/// <summary>
/// As an end of a relayed session: each (rendezvous, peer) pair stands for a made-up endpoint in
/// <c>100::/64</c>, the discard-only prefix of RFC 6666, which no packet can really come from or go to. The
/// session layer keeps its peer at that endpoint like any other; the engine wraps what goes there in a
/// RELAY_SEND to the rendezvous and hands a RELAY_DELIVER's packet to the session layer as coming from it.
/// So the relayed session is the two nodes' own Noise session, and when a direct packet of it arrives the
/// session moves to the real endpoint (WireGuard's roaming): the upgrade to direct needs nothing more.
/// </summary>
internal sealed class RelayPaths(int maxPaths)
{
    private static readonly byte[] Prefix = [0x01, 0x00, 0, 0, 0, 0, 0, 0];

    private readonly Dictionary<(NodeId Relay, NodeId Peer), IPEndPoint> _byPair = [];
    private readonly Dictionary<IPEndPoint, (NodeInfo Relay, NodeId Peer)> _byEndPoint = [];
    private readonly Queue<(NodeId Relay, NodeId Peer)> _order = new();
    private ulong _next;

    /// <summary>Whether <paramref name="endPoint"/> is a made-up relay endpoint (in <c>100::/64</c>).</summary>
    public static bool IsRelayed(EndPoint? endPoint) =>
        endPoint is IPEndPoint { Address.AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } ip
        && ip.Address.GetAddressBytes().AsSpan(0, 8).SequenceEqual(Prefix);

    /// <summary>The made-up endpoint standing for <paramref name="peer"/> reached through <paramref name="relay"/>.</summary>
    public IPEndPoint EndPointFor(NodeInfo relay, NodeId peer)
    {
        var pair = (relay.Id, peer);
        if (_byPair.TryGetValue(pair, out var known))
        {
            _byEndPoint[known] = (relay, peer); // the rendezvous may have moved
            return known;
        }

        if (_byPair.Count >= maxPaths && _order.TryDequeue(out var oldest) && _byPair.Remove(oldest, out var gone))
        {
            _byEndPoint.Remove(gone);
        }

        var bytes = new byte[16];
        Prefix.CopyTo(bytes, 0);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(8), ++_next);
        var endPoint = new IPEndPoint(new IPAddress(bytes), 1);
        _byPair[pair] = endPoint;
        _byEndPoint[endPoint] = (relay, peer);
        _order.Enqueue(pair);
        return endPoint;
    }

    /// <summary>The rendezvous and peer a made-up endpoint stands for.</summary>
    public bool TryGet(EndPoint endPoint, out NodeInfo relay, out NodeId peer)
    {
        if (endPoint is IPEndPoint ip && _byEndPoint.TryGetValue(ip, out var path))
        {
            (relay, peer) = path;
            return true;
        }

        relay = default;
        peer = default;
        return false;
    }
}
