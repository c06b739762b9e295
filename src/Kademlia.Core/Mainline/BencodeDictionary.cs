namespace Kademlia.Mainline;

/// <summary>
/// A bencoded dictionary: <c>d&lt;key&gt;&lt;value&gt;...e</c>, keys byte strings in ascending raw byte order, each
/// at most once (BEP 3).
/// </summary>
/// <remarks>
/// Built from entries in any order; the constructor sorts them and refuses a repeated key, so a dictionary
/// always has its one canonical encoding. Lookups are binary searches.
/// </remarks>
public sealed class BencodeDictionary : BencodeValue
{
    private readonly KeyValuePair<BencodeString, BencodeValue>[] _entries;

    /// <summary>A dictionary of <paramref name="entries"/>, in any order.</summary>
    /// <exception cref="ArgumentException">A key appears twice, or the dictionary would nest deeper than <see cref="BencodeLimits.MaxSupportedDepth"/>.</exception>
    public BencodeDictionary(IEnumerable<KeyValuePair<BencodeString, BencodeValue>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        KeyValuePair<BencodeString, BencodeValue>[] sorted = [.. entries];
        foreach (var (key, value) in sorted)
        {
            ArgumentNullException.ThrowIfNull(key, nameof(entries));
            ArgumentNullException.ThrowIfNull(value, nameof(entries));
        }

        Array.Sort(sorted, static (a, b) => a.Key.CompareTo(b.Key));
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i - 1].Key.Equals(sorted[i].Key))
            {
                throw new ArgumentException($"The key {sorted[i].Key} appears twice; a bencoded dictionary has each key once.", nameof(entries));
            }
        }

        _entries = sorted;
        Depth = ComputeDepth(sorted);
    }

    /// <summary>A dictionary of <paramref name="entries"/> keyed by UTF-8 text, in any order.</summary>
    /// <exception cref="ArgumentException">A key appears twice.</exception>
    public BencodeDictionary(params ReadOnlySpan<(string Key, BencodeValue Value)> entries)
        : this(ToEntries(entries))
    {
    }

    private BencodeDictionary(KeyValuePair<BencodeString, BencodeValue>[] sortedUnique, bool _)
    {
        _entries = sortedUnique;
        Depth = ComputeDepth(sortedUnique);
    }

    /// <summary>The empty dictionary, <c>de</c>.</summary>
    public static BencodeDictionary Empty { get; } = new([], false);

    /// <summary>Wraps entries the reader has already checked to be sorted and unique, without copying.</summary>
    internal static BencodeDictionary OwnSorted(KeyValuePair<BencodeString, BencodeValue>[] sortedUnique) => new(sortedUnique, false);

    /// <summary>The entries in key order.</summary>
    public IReadOnlyList<KeyValuePair<BencodeString, BencodeValue>> Entries => _entries;

    /// <summary>The number of entries.</summary>
    public int Count => _entries.Length;

    /// <inheritdoc />
    public override int Depth { get; }

    /// <summary>Whether the dictionary has <paramref name="key"/>, and its value if so.</summary>
    public bool TryGetValue(ReadOnlySpan<byte> key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BencodeValue? value)
    {
        var low = 0;
        var high = _entries.Length - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var order = _entries[middle].Key.Span.SequenceCompareTo(key);
            if (order == 0)
            {
                value = _entries[middle].Value;
                return true;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        value = null;
        return false;
    }

    /// <summary>Whether the dictionary has <paramref name="key"/>.</summary>
    public bool ContainsKey(ReadOnlySpan<byte> key) => TryGetValue(key, out _);

    /// <inheritdoc />
    public override bool Equals(BencodeValue? other)
    {
        if (other is not BencodeDictionary dictionary || dictionary._entries.Length != _entries.Length)
        {
            return false;
        }

        for (var i = 0; i < _entries.Length; i++)
        {
            if (!_entries[i].Key.Equals(dictionary._entries[i].Key) || !_entries[i].Value.Equals(dictionary._entries[i].Value))
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
        hash.Add(_entries.Length);
        foreach (var (key, value) in _entries)
        {
            hash.Add(key);
            hash.Add(value);
        }

        return hash.ToHashCode();
    }

    private static int ComputeDepth(KeyValuePair<BencodeString, BencodeValue>[] entries)
    {
        var depth = 0;
        foreach (var entry in entries)
        {
            depth = Math.Max(depth, entry.Value.Depth);
        }

        return BencodeLimits.CheckDepth(depth + 1);
    }

    private static KeyValuePair<BencodeString, BencodeValue>[] ToEntries(ReadOnlySpan<(string Key, BencodeValue Value)> entries)
    {
        var result = new KeyValuePair<BencodeString, BencodeValue>[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            result[i] = new(BencodeString.FromUtf8(entries[i].Key), entries[i].Value);
        }

        return result;
    }
}
