namespace Kademlia.Engine;

/// <summary>Why the engine dropped a datagram or message after the session layer let it through.</summary>
public enum EngineDropReason
{
    /// <summary>The source exceeded its rate limit.</summary>
    RateLimited,

    /// <summary>The plaintext did not decode as a message.</summary>
    MalformedMessage,

    /// <summary>The sender's node ID or nonce fails the network's proof-of-work.</summary>
    InvalidProofOfWork,

    /// <summary>An answer to no request of ours (or from another peer than the one asked).</summary>
    UnsolicitedResponse,

    /// <summary>An answer of another type than the request called for.</summary>
    UnexpectedResponseType,

    /// <summary>An answer that failed validation (bad record, bad contacts).</summary>
    InvalidAnswer,

    /// <summary>
    /// An outgoing packet withheld because the address it goes to has not proven it receives our packets
    /// and already got 3x the bytes it sent (anti-amplification).
    /// </summary>
    AmplificationLimit,
}
