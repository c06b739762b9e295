namespace Kademlia;

/// <summary>Why a request got an ERROR instead of its answer; the numbers are the wire encoding.</summary>
public enum ErrorCode : byte
{
    /// <summary>The request's header was read but the rest did not decode.</summary>
    MalformedRequest = 1,

    /// <summary>The request type is one this node does not serve.</summary>
    UnsupportedRequest = 2,

    /// <summary>The requester exceeded its rate limit; retry later or elsewhere.</summary>
    RateLimited = 3,

    /// <summary>
    /// The answer (a stored value, an application's reply) does not fit the 3x budget of the handshake message 1 that carried the
    /// request; the handshake's session is open, so ask again on it.
    /// </summary>
    AnswerTooLarge = 4,

    /// <summary>
    /// No application on the node receives on the APP_REQUEST's channel (nothing listens there, as a closed
    /// UDP port): do not retry.
    /// </summary>
    NoSuchChannel = 5,
}
