namespace Kademlia.Mainline;

/// <summary>
/// The BEP 44 rules a storing node applies to a <c>put</c>, each failure mapped to the error code the BEP
/// assigns. One place for them, so the codec parses anything well-formed and the store refuses by rule.
/// </summary>
public static class MainlineItemRules
{
    /// <summary>
    /// The largest bencoded value stored, in bytes. BEP 44: storing nodes MAY reject larger values, "it's not
    /// safe to assume storing more than 1000 bytes will succeed", so nobody should rely on more.
    /// </summary>
    public const int MaxValueSize = 1000;

    /// <summary>The longest salt, in bytes. BEP 44: "The salt string MUST NOT be longer than 64 bytes."</summary>
    public const int MaxSaltSize = 64;

    /// <summary>
    /// Whether <paramref name="item"/> may be stored at all: null if so, else the error to answer with. In
    /// order, cheapest first: 205 for a value over <see cref="MaxValueSize"/>; for mutable items 207 for a salt
    /// over <see cref="MaxSaltSize"/>, 203 for a negative sequence number (BEP 44 lets a node refuse those),
    /// and 206 for a signature that does not verify.
    /// </summary>
    public static KrpcErrorCode? CheckPut(MainlineItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.EncodedValue.Length > MaxValueSize)
        {
            return KrpcErrorCode.ValueTooBig;
        }

        if (item is not MutableItem mutable)
        {
            return null;
        }

        if (mutable.Salt.Length > MaxSaltSize)
        {
            return KrpcErrorCode.SaltTooBig;
        }

        if (mutable.Sequence < 0)
        {
            return KrpcErrorCode.Protocol;
        }

        return mutable.Verify() ? null : KrpcErrorCode.InvalidSignature;
    }

    /// <summary>
    /// Whether <paramref name="incoming"/>, already through <see cref="CheckPut"/>, may replace what is stored
    /// under its target: null if so, else the error to answer with.
    /// </summary>
    /// <remarks>
    /// With nothing stored, anything goes and <paramref name="cas"/> is ignored (BEP 44: "If there is no
    /// current value, the cas field SHOULD be ignored"). Otherwise a <paramref name="cas"/> other than the
    /// stored sequence number is 301, and a lower sequence number is 302. An equal sequence number is
    /// accepted only with the identical item, which refreshes it ("the node SHOULD reset its timeout"); a
    /// different item at the same number is refused as 302 too, since BEP 44 requires refusing any sequence
    /// number "lower than or equal to" the stored one.
    /// </remarks>
    public static KrpcErrorCode? CheckReplace(MutableItem? stored, MutableItem incoming, long? cas)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        if (stored is null)
        {
            return null;
        }

        if (cas is { } expected && expected != stored.Sequence)
        {
            return KrpcErrorCode.CasMismatch;
        }

        if (incoming.Sequence < stored.Sequence)
        {
            return KrpcErrorCode.SequenceTooLow;
        }

        return incoming.Sequence > stored.Sequence || incoming.SameAs(stored) ? null : KrpcErrorCode.SequenceTooLow;
    }
}
