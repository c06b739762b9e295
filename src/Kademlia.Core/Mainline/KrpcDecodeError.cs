namespace Kademlia.Mainline;

/// <summary>
/// Why a datagram is not a KRPC message this node understands. <see cref="KrpcCodec"/> returns one of these
/// and never throws.
/// </summary>
public enum KrpcDecodeError
{
    /// <summary>The datagram is a KRPC message.</summary>
    None = 0,

    /// <summary>The datagram is not one canonical bencoded value (see <see cref="BencodeError"/>).</summary>
    InvalidBencode,

    /// <summary>The value is not a dictionary.</summary>
    NotADictionary,

    /// <summary>The transaction ID <c>t</c> is missing or not a byte string.</summary>
    MissingTransactionId,

    /// <summary>The message type <c>y</c> is missing or not <c>q</c>, <c>r</c> or <c>e</c>.</summary>
    InvalidMessageType,

    /// <summary>A query has no method name <c>q</c>, or it is not a byte string.</summary>
    MissingMethod,

    /// <summary>A query names a method this node does not implement; BEP 5 answers 204.</summary>
    UnknownMethod,

    /// <summary>A query has no argument dictionary <c>a</c>, or a response no return dictionary <c>r</c>.</summary>
    MissingArguments,

    /// <summary>A required key is absent; BEP 5 answers a query with 203.</summary>
    MissingField,

    /// <summary>A known key has the wrong type or length (an ID not 20 bytes, a port out of range, a <c>nodes</c> string not a whole number of entries).</summary>
    InvalidField,

    /// <summary>An error message's <c>e</c> is not a list of an integer code and a string.</summary>
    InvalidError,
}
