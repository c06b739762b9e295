using Kademlia.Identity;
using Kademlia.Routing;

namespace Kademlia.Mainline;

/// <summary>
/// A KRPC response (<c>y = r</c>): the answerer's <c>id</c> and whichever return values its method has.
/// </summary>
/// <remarks>
/// KRPC responses do not name their method; the asker knows it from the transaction ID. So one type holds
/// every return value BEP 5, 32 and 44 define, each null when absent: <c>nodes</c>/<c>nodes6</c> for
/// <c>find_node</c>, <c>get_peers</c> and <c>get</c>; <c>values</c> and <c>token</c> for <c>get_peers</c>;
/// <c>token</c>, <c>v</c>, <c>k</c>, <c>seq</c> and <c>sig</c> for <c>get</c>. A <c>ping</c>,
/// <c>announce_peer</c> or <c>put</c> response has only the ID.
/// </remarks>
/// <param name="Id">The answering node's ID.</param>
public sealed record KrpcResponse(MainlineId Id) : KrpcBody
{
    /// <summary>Closest IPv4 nodes (<c>nodes</c>, 26 bytes each).</summary>
    public IReadOnlyList<MainlineNode>? Nodes { get; init; }

    /// <summary>Closest IPv6 nodes (<c>nodes6</c>, BEP 32, 38 bytes each).</summary>
    public IReadOnlyList<MainlineNode>? Nodes6 { get; init; }

    /// <summary>Peers of the info-hash (<c>values</c>, 6 or 18 bytes each).</summary>
    public IReadOnlyList<NodeEndpoint>? Values { get; init; }

    /// <summary>The write token for a later <c>announce_peer</c> or <c>put</c>.</summary>
    public BencodeString? Token { get; init; }

    /// <summary>BEP 44: the stored value <c>v</c>.</summary>
    public BencodeValue? Value { get; init; }

    /// <summary>BEP 44: the mutable item's public key <c>k</c>.</summary>
    public NodePublicKey? PublicKey { get; init; }

    /// <summary>BEP 44: the mutable item's sequence number <c>seq</c>.</summary>
    public long? Sequence { get; init; }

    /// <summary>BEP 44: the mutable item's 64-byte signature <c>sig</c>.</summary>
    public BencodeString? Signature { get; init; }

    /// <summary>
    /// The item this <c>get</c> response carries for <paramref name="target"/>, checked as BEP 44 requires of
    /// the requesting node: an immutable value must hash to the target; a mutable one must have its key,
    /// sequence number and a valid signature, and its key and <paramref name="salt"/> must hash to the
    /// target. Null when there is no value or it fails a check.
    /// </summary>
    public MainlineItem? GetVerifiedItem(MainlineId target, ReadOnlySpan<byte> salt)
    {
        if (Value is null)
        {
            return null;
        }

        if (PublicKey is not { } key)
        {
            var immutable = new ImmutableItem(Value);
            return immutable.Target == target ? immutable : null;
        }

        if (Sequence is not { } sequence || Signature is null || Signature.Length != MutableItem.SignatureSize)
        {
            return null;
        }

        var mutable = new MutableItem(key, new BencodeString(salt), sequence, Value, Signature.Span);
        return mutable.Target == target && mutable.Verify() ? mutable : null;
    }
}
