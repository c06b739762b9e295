namespace Kademlia.Mainline;

/// <summary>A bencoded list: <c>l&lt;values&gt;e</c>.</summary>
public sealed class BencodeList : BencodeValue
{
    private readonly BencodeValue[] _items;

    /// <summary>A list of <paramref name="items"/>, in order.</summary>
    /// <exception cref="ArgumentException">The list would nest deeper than <see cref="BencodeLimits.MaxSupportedDepth"/>.</exception>
    public BencodeList(IEnumerable<BencodeValue> items)
        : this(ToArray(items))
    {
    }

    /// <summary>A list of <paramref name="items"/>, in order.</summary>
    public BencodeList(params ReadOnlySpan<BencodeValue> items)
        : this(items.ToArray())
    {
    }

    private BencodeList(BencodeValue[] items)
    {
        var depth = 0;
        foreach (var item in items)
        {
            ArgumentNullException.ThrowIfNull(item, nameof(items));
            depth = Math.Max(depth, item.Depth);
        }

        Depth = BencodeLimits.CheckDepth(depth + 1);
        _items = items;
    }

    /// <summary>The empty list, <c>le</c>.</summary>
    public static BencodeList Empty { get; } = new(Array.Empty<BencodeValue>());

    /// <summary>Wraps <paramref name="items"/> without copying; the caller gives up the array.</summary>
    internal static BencodeList Own(BencodeValue[] items) => new(items);

    /// <summary>The items, in order.</summary>
    public IReadOnlyList<BencodeValue> Items => _items;

    /// <summary>The number of items.</summary>
    public int Count => _items.Length;

    /// <summary>The item at <paramref name="index"/>.</summary>
    public BencodeValue this[int index] => _items[index];

    /// <inheritdoc />
    public override int Depth { get; }

    /// <inheritdoc />
    public override bool Equals(BencodeValue? other)
    {
        if (other is not BencodeList list || list._items.Length != _items.Length)
        {
            return false;
        }

        for (var i = 0; i < _items.Length; i++)
        {
            if (!_items[i].Equals(list._items[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(_items.Length);
        foreach (var item in _items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    private static BencodeValue[] ToArray(IEnumerable<BencodeValue> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return [.. items];
    }
}
