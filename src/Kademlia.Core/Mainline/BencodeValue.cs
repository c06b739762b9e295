namespace Kademlia.Mainline;

/// <summary>
/// One bencoded value: a <see cref="BencodeString"/>, <see cref="BencodeInteger"/>, <see cref="BencodeList"/> or
/// <see cref="BencodeDictionary"/> (BEP 3, "Bencoding"). The set is closed.
/// </summary>
/// <remarks>
/// Values are immutable and compare by content. Every value has exactly one encoding (dictionary keys sorted
/// and unique, integers without leading zeros), which <see cref="BencodeWriter"/> produces and
/// <see cref="BencodeReader"/> alone accepts, so a value read from the wire re-encodes to the same bytes: what
/// BEP 44 needs when it hashes or verifies "the verbatim bencoded representation" of an item.
/// </remarks>
public abstract class BencodeValue : IEquatable<BencodeValue>
{
    private protected BencodeValue()
    {
    }

    /// <summary>
    /// How many containers deep this value is: 0 for a string or integer, 1 for a list or dictionary of
    /// scalars, and so on. Bounded by <see cref="BencodeLimits.MaxSupportedDepth"/> when built.
    /// </summary>
    public abstract int Depth { get; }

    /// <inheritdoc />
    public abstract bool Equals(BencodeValue? other);

    /// <inheritdoc />
    public sealed override bool Equals(object? obj) => obj is BencodeValue other && Equals(other);

    /// <inheritdoc />
    public abstract override int GetHashCode();

    /// <summary>The canonical encoding of this value, as text where bytes are printable (for diagnostics).</summary>
    public override string ToString() => Internal.BencodeText.Describe(BencodeWriter.Encode(this));
}
