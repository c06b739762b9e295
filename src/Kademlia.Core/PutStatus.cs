namespace Kademlia;

/// <summary>The outcome a PUT_RESULT reports for a PUT or ADD_PROVIDER; the numbers are the wire encoding.</summary>
public enum PutStatus : byte
{
    /// <summary>The record is stored (or was already stored).</summary>
    Stored = 0,

    /// <summary>Refused: the value is larger than this node accepts (its network's limit may be below the protocol's).</summary>
    TooLarge = 1,

    /// <summary>Refused: the signature does not verify.</summary>
    InvalidSignature = 2,

    /// <summary>Refused: the store holds a mutable record of this key with a higher sequence.</summary>
    StaleSequence = 3,

    /// <summary>Refused: the compare-and-swap expected sequence is not the stored one (a lost update).</summary>
    CasMismatch = 4,

    /// <summary>Refused: a quota (per topic, per source, per prefix or total) is full and nothing could fairly be evicted, or the store cannot write now.</summary>
    QuotaExceeded = 5,

    /// <summary>Refused: this node is not among the k closest it knows to the key.</summary>
    NotClosest = 6,

    /// <summary>Refused: a provider record's publication time is too far in the past or the future.</summary>
    InvalidTimestamp = 7,

    /// <summary>
    /// Refused: a provider record's endpoint cannot be reached (unspecified address, port 0, or on a
    /// network that is not a test network a loopback, link-local, multicast or reserved address).
    /// </summary>
    InvalidEndpoint = 8,
}
