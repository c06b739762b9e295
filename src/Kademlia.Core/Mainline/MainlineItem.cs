namespace Kademlia.Mainline;

/// <summary>
/// A BEP 44 item stored in the DHT: an <see cref="ImmutableItem"/> (keyed by the hash of its value) or a
/// <see cref="MutableItem"/> (keyed by its publisher's key and salt, signed). The set is closed.
/// </summary>
public abstract class MainlineItem
{
    private protected MainlineItem(BencodeValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
        EncodedValue = BencodeWriter.Encode(value);
    }

    /// <summary>The value <c>v</c>: any bencoded value.</summary>
    public BencodeValue Value { get; }

    /// <summary>
    /// The canonical encoding of <see cref="Value"/>: what is hashed and signed. The codec accepts only
    /// canonical input, so this is also the verbatim form the value had in the message (BEP 44 hashes that).
    /// </summary>
    public ReadOnlyMemory<byte> EncodedValue { get; }

    /// <summary>The 160-bit key the item is stored under and looked up by.</summary>
    public abstract MainlineId Target { get; }
}
