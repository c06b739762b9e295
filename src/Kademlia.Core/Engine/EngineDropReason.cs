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

    /// <summary>An app message for a channel nothing receives on (a request is also answered NO_SUCH_CHANNEL).</summary>
    NoSuchChannel,

    /// <summary>An app message beyond its sender's per-peer rate (a request is also answered RATE_LIMITED).</summary>
    AppRateLimited,

    /// <summary>An APP_REQUEST refused because too many requests wait for their application (answered RATE_LIMITED).</summary>
    AppBacklog,

    /// <summary>A copy of an APP_REQUEST still waiting for its answer, or of an APP_DATAGRAM just delivered.</summary>
    AppDuplicate,

    /// <summary>An outgoing APP_DATAGRAM that waited for a session that never opened, or found too many waiting before it.</summary>
    AppDatagramNotSent,

    /// <summary>A PUNCH_REQUEST or PUNCH_NOTIFY refused by a rate limit (per requester, per target, per rendezvous or in all).</summary>
    PunchRateLimited,

    /// <summary>A PUNCH_NOTIFY from a node that is not one of our rendezvous points, or naming an invalid requester.</summary>
    PunchRefused,

    /// <summary>A RELAY frame refused: no circuit could be opened (the destination is not our client, too many circuits).</summary>
    RelayNoCircuit,

    /// <summary>A RELAY frame past its circuit's byte or duration limit.</summary>
    RelayLimit,

    /// <summary>A RELAY frame that cannot be passed on or out: no session with the next hop, a packet too large, or nested relaying.</summary>
    RelayUndeliverable,

    /// <summary>
    /// An outgoing first contact not sent: the destination's /24 (/48) had used its budget of handshake
    /// initiations to contacts we never verified (as when forged NODES answers point lookups at a victim).
    /// </summary>
    InitiationBudget,
}
