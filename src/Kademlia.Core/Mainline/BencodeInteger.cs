namespace Kademlia.Mainline;

/// <summary>
/// A bencoded integer: <c>i&lt;decimal&gt;e</c>. Bencode allows any size; this codec keeps to a signed 64-bit
/// range, which holds every integer KRPC and BEP 44 use (ports, sequence numbers, error codes).
/// </summary>
public sealed class BencodeInteger : BencodeValue
{
    /// <summary>An integer of value <paramref name="value"/>.</summary>
    public BencodeInteger(long value) => Value = value;

    /// <summary>The value.</summary>
    public long Value { get; }

    /// <inheritdoc />
    public override int Depth => 0;

    /// <inheritdoc />
    public override bool Equals(BencodeValue? other) => other is BencodeInteger i && i.Value == Value;

    /// <inheritdoc />
    public override int GetHashCode() => Value.GetHashCode();
}
