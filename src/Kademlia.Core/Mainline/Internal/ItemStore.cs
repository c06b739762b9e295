namespace Kademlia.Mainline.Internal;

/// <summary>
/// The BEP 44 items stored on this node, bounded in count and in encoded value bytes. When full, the item
/// stored or refreshed least recently makes room; an item expires after the configured lifetime.
/// </summary>
internal sealed class ItemStore(int maxItems, int maxBytes, TimeSpan lifetime)
{
    private readonly Dictionary<MainlineId, (MainlineItem Item, DateTimeOffset StoredAt)> _items = [];

    public int Count => _items.Count;

    public long Bytes { get; private set; }

    public MainlineItem? Get(MainlineId target, DateTimeOffset now) =>
        _items.TryGetValue(target, out var entry) && now - entry.StoredAt < lifetime ? entry.Item : null;

    public void Put(MainlineItem item, DateTimeOffset now)
    {
        Remove(item.Target);
        while (_items.Count > 0 && (_items.Count >= maxItems || Bytes + item.EncodedValue.Length > maxBytes))
        {
            var oldest = _items.First();
            foreach (var entry in _items)
            {
                if (entry.Value.StoredAt < oldest.Value.StoredAt) oldest = entry;
            }

            Remove(oldest.Key);
        }

        _items[item.Target] = (item, now);
        Bytes += item.EncodedValue.Length;
    }

    public void Expire(DateTimeOffset now)
    {
        foreach (var (target, entry) in _items.ToList())
        {
            if (now - entry.StoredAt >= lifetime) Remove(target);
        }
    }

    private void Remove(MainlineId target)
    {
        if (_items.Remove(target, out var old))
        {
            Bytes -= old.Item.EncodedValue.Length;
        }
    }
}
