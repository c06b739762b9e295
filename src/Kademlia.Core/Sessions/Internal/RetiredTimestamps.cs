namespace Kademlia.Sessions.Internal;

/// <summary>
/// The greatest initiation timestamp of peers evicted from the peer table, so that a recorded initiation
/// cannot be replayed once its peer was pushed out (WireGuard keeps its peers forever; this table must not).
/// </summary>
/// <remarks>
/// Bounded: past <c>capacity</c> keys the oldest retirement is forgotten and its timestamp raises a
/// watermark that every unknown key's initiation must beat. Forgotten entries are the least recently
/// evicted, so the watermark is old; an honest peer whose clock lags by more than that is refused until its
/// clock passes it, which is the price of bounded memory.
/// </remarks>
internal sealed class RetiredTimestamps(int capacity)
{
    private readonly Dictionary<PeerKey, Tai64N> _greatest = [];
    private readonly Queue<PeerKey> _order = new();
    private Tai64N _watermark;

    /// <summary>Keys remembered one by one.</summary>
    public int Count => _greatest.Count;

    /// <summary>Remembers the greatest timestamp accepted from <paramref name="key"/> as it leaves the peer table.</summary>
    public void Remember(PeerKey key, Tai64N greatest)
    {
        if (!_greatest.ContainsKey(key))
        {
            _order.Enqueue(key);
        }

        _greatest[key] = greatest;
        while (_greatest.Count > capacity && _order.TryDequeue(out var oldest))
        {
            if (_greatest.Remove(oldest, out var forgotten) && forgotten > _watermark)
            {
                _watermark = forgotten;
            }
        }
    }

    /// <summary>What a new initiation from <paramref name="key"/> must be newer than.</summary>
    public Tai64N GreatestFor(PeerKey key) => _greatest.TryGetValue(key, out var greatest) && greatest > _watermark ? greatest : _watermark;
}
