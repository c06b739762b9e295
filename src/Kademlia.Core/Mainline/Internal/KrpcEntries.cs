namespace Kademlia.Mainline.Internal;

/// <summary>Collects the entries of a KRPC dictionary being written; order does not matter, the dictionary sorts.</summary>
internal sealed class KrpcEntries
{
    private readonly List<KeyValuePair<BencodeString, BencodeValue>> _entries = [];

    public void Add(ReadOnlySpan<byte> key, BencodeValue value) => _entries.Add(new(new BencodeString(key), value));

    public void Add(ReadOnlySpan<byte> key, ReadOnlySpan<byte> bytes) => Add(key, new BencodeString(bytes));

    public void Add(ReadOnlySpan<byte> key, long value) => Add(key, new BencodeInteger(value));

    public void Add(ReadOnlySpan<byte> key, MainlineId id)
    {
        Span<byte> bytes = stackalloc byte[MainlineId.Size];
        id.WriteTo(bytes);
        Add(key, bytes);
    }

    public void AddWant(KrpcWant want)
    {
        if (want == KrpcWant.None)
        {
            return;
        }

        var items = new List<BencodeValue>(2);
        if ((want & KrpcWant.Nodes4) != 0)
        {
            items.Add(new BencodeString(KrpcKeys.WantNodes4));
        }

        if ((want & KrpcWant.Nodes6) != 0)
        {
            items.Add(new BencodeString(KrpcKeys.WantNodes6));
        }

        Add(KrpcKeys.Want, new BencodeList(items));
    }

    public BencodeDictionary ToDictionary() => new(_entries);
}
