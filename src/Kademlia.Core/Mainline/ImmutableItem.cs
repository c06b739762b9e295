namespace Kademlia.Mainline;

/// <summary>
/// A BEP 44 immutable item: stored under the SHA-1 of its bencoded value, so it needs no signature and a
/// reader checks it by hashing what it got.
/// </summary>
public sealed class ImmutableItem : MainlineItem
{
    /// <summary>An immutable item holding <paramref name="value"/>.</summary>
    public ImmutableItem(BencodeValue value)
        : base(value) => Target = MainlineId.Sha1(EncodedValue.Span);

    /// <summary><c>SHA-1(bencode(v))</c>.</summary>
    public override MainlineId Target { get; }
}
