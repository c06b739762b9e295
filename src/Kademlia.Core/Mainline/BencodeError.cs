namespace Kademlia.Mainline;

/// <summary>
/// Why bytes are not one canonical bencoded value. <see cref="BencodeReader"/> returns one of these and never
/// throws, so a node can drop a bad datagram and count it by reason.
/// </summary>
public enum BencodeError
{
    /// <summary>The bytes are exactly one canonical value.</summary>
    None = 0,

    /// <summary>The bytes end inside a value, or a string claims more bytes than remain.</summary>
    Truncated,

    /// <summary>A whole value was read and bytes remain after it.</summary>
    TrailingBytes,

    /// <summary>The input is longer than <see cref="BencodeLimits.MaxInputLength"/>.</summary>
    InputTooLarge,

    /// <summary>Lists and dictionaries nest deeper than <see cref="BencodeLimits.MaxDepth"/>.</summary>
    NestingTooDeep,

    /// <summary>A value starts with a byte that is not <c>i</c>, <c>l</c>, <c>d</c> or a digit.</summary>
    UnexpectedByte,

    /// <summary>An integer has no digits or a byte other than a digit before its <c>e</c>.</summary>
    InvalidInteger,

    /// <summary>An integer lies outside the signed 64-bit range.</summary>
    IntegerOutOfRange,

    /// <summary>A string length is not followed by <c>:</c>.</summary>
    InvalidStringLength,

    /// <summary>An integer or string length has a leading zero (<c>i03e</c>, <c>03:abc</c>): a second encoding of the same value.</summary>
    LeadingZero,

    /// <summary>The integer <c>i-0e</c>, a second encoding of zero.</summary>
    NegativeZero,

    /// <summary>A dictionary key is not a byte string.</summary>
    KeyNotString,

    /// <summary>A dictionary key sorts before the key ahead of it.</summary>
    UnsortedKeys,

    /// <summary>A dictionary key equals the key ahead of it.</summary>
    DuplicateKey,
}
