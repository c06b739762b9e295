using Kademlia.Engine;
using Kademlia.Identity;

namespace Kademlia.Internal;

/// <summary>
/// The <see cref="PeerChannel"/>s open on a node, by peer: the engine keeps the path to a peer while at
/// least one channel to it is open, and each of them hears of the path's changes. Used on the node's loop only.
/// </summary>
internal sealed class OpenChannels
{
    private readonly Dictionary<NodeId, List<PeerChannel>> _byPeer = [];

    /// <summary>Adds a channel; true when it is the first open to its peer (the path is to be kept from now).</summary>
    public bool Add(PeerChannel channel)
    {
        if (!_byPeer.TryGetValue(channel.Peer.Id, out var open))
        {
            _byPeer[channel.Peer.Id] = open = [];
        }

        if (open.Contains(channel))
        {
            return false;
        }

        open.Add(channel);
        return open.Count == 1;
    }

    /// <summary>Removes a channel; true when it was the last open to its peer (the path need no longer be kept).</summary>
    public bool Remove(PeerChannel channel)
    {
        if (!_byPeer.TryGetValue(channel.Peer.Id, out var open) || !open.Remove(channel))
        {
            return false;
        }

        if (open.Count > 0)
        {
            return false;
        }

        _byPeer.Remove(channel.Peer.Id);
        return true;
    }

    /// <summary>Tells every channel open to <paramref name="peer"/> its path now; false when none is.</summary>
    public bool Notify(NodeId peer, PeerPath path, Action<Exception> observerFailed)
    {
        if (!_byPeer.TryGetValue(peer, out var open))
        {
            return false;
        }

        foreach (var channel in open.ToArray())
        {
            channel.OnPathChanged(path, observerFailed);
        }

        return true;
    }
}
