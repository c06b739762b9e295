using Kademlia.Identity;
using Kademlia.Routing;
using Kademlia.Sessions;

namespace Kademlia.Engine.Internal;

/// <summary>
/// As a rendezvous: the clients that keep sessions with this node (their flagged requests and keepalives
/// arrive from a proven address), each at the endpoint its latest packet came from. A PUNCH_REQUEST or a
/// RELAY_SEND can name only one of them, and learns its endpoint from here, never from the requester.
/// </summary>
/// <remarks>
/// A client keeps its rendezvous sessions alive every 25 s; one silent for <see cref="Expiry"/> has gone (or
/// its NAT forgot us) and is no longer served. Bounded: when full, the client heard from longest ago is forgotten.
/// </remarks>
internal sealed class RendezvousClients(int maxClients)
{
    /// <summary>How long after its latest packet a client is still served: several missed keepalives.</summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(90);

    private readonly Dictionary<NodeId, Client> _clients = [];

    /// <summary>Clients tracked.</summary>
    public int Count => _clients.Count;

    /// <summary>A packet from client <paramref name="peer"/> (at its observed endpoint) arrived from a proven address.</summary>
    public void Observe(NodeInfo peer, DateTimeOffset now)
    {
        if (!_clients.ContainsKey(peer.Id) && _clients.Count >= maxClients)
        {
            var oldest = _clients.MinBy(c => c.Value.LastSeen).Key;
            _clients.Remove(oldest);
        }

        _clients[peer.Id] = new Client(peer, new PeerKey(peer.PublicKey.Span), now);
    }

    /// <summary>The node <paramref name="id"/> stopped being a client (it sent an unflagged request).</summary>
    public void Forget(NodeId id) => _clients.Remove(id);

    /// <summary>The client <paramref name="id"/> at its latest observed endpoint, if it was heard from recently.</summary>
    public bool TryGet(NodeId id, DateTimeOffset now, out NodeInfo client, out PeerKey key)
    {
        if (_clients.TryGetValue(id, out var entry) && now - entry.LastSeen < Expiry)
        {
            client = entry.Info;
            key = entry.Key;
            return true;
        }

        client = default;
        key = default;
        return false;
    }

    private readonly record struct Client(NodeInfo Info, PeerKey Key, DateTimeOffset LastSeen);
}
