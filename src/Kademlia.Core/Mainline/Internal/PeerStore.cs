namespace Kademlia.Mainline.Internal;

/// <summary>
/// The peers announced to this node, per info-hash, bounded in info-hashes and in peers per info-hash. When
/// full, the peer (or the info-hash) announced least recently makes room.
/// </summary>
internal sealed class PeerStore(int maxInfoHashes, int maxPeersPerInfoHash, TimeSpan lifetime)
{
    private readonly Dictionary<MainlineId, Dictionary<NodeEndpoint, DateTimeOffset>> _peers = [];

    public int InfoHashCount => _peers.Count;

    public void Add(MainlineId infoHash, NodeEndpoint peer, DateTimeOffset now)
    {
        if (!_peers.TryGetValue(infoHash, out var peers))
        {
            if (_peers.Count >= maxInfoHashes)
            {
                _peers.Remove(Oldest(_peers, p => Newest(p.Value)));
            }

            peers = [];
            _peers.Add(infoHash, peers);
        }

        if (!peers.ContainsKey(peer) && peers.Count >= maxPeersPerInfoHash)
        {
            peers.Remove(Oldest(peers, p => p.Value));
        }

        peers[peer] = now;
    }

    /// <summary>Up to <paramref name="max"/> live peers of <paramref name="infoHash"/> in the family wanted.</summary>
    public List<NodeEndpoint> Get(MainlineId infoHash, DateTimeOffset now, int max, bool ipv6)
    {
        var result = new List<NodeEndpoint>();
        if (_peers.TryGetValue(infoHash, out var peers))
        {
            foreach (var (peer, at) in peers)
            {
                if (now - at < lifetime && peer.IsIPv4 != ipv6)
                {
                    result.Add(peer);
                    if (result.Count == max) break;
                }
            }
        }

        return result;
    }

    public void Expire(DateTimeOffset now)
    {
        foreach (var (infoHash, peers) in _peers.ToList())
        {
            foreach (var (peer, at) in peers.ToList())
            {
                if (now - at >= lifetime) peers.Remove(peer);
            }

            if (peers.Count == 0) _peers.Remove(infoHash);
        }
    }

    private static DateTimeOffset Newest(Dictionary<NodeEndpoint, DateTimeOffset> peers)
    {
        var newest = DateTimeOffset.MinValue;
        foreach (var at in peers.Values) newest = at > newest ? at : newest;
        return newest;
    }

    private static TKey Oldest<TKey, TValue>(Dictionary<TKey, TValue> entries, Func<KeyValuePair<TKey, TValue>, DateTimeOffset> time)
        where TKey : notnull
    {
        var oldest = entries.First();
        foreach (var entry in entries)
        {
            if (time(entry) < time(oldest)) oldest = entry;
        }

        return oldest.Key;
    }
}
