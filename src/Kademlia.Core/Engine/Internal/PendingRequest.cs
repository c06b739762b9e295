using System.Net;
using Kademlia.Identity;
using Kademlia.Wire;

namespace Kademlia.Engine.Internal;

/// <summary>Why a request was sent.</summary>
internal enum RequestPurpose
{
    /// <summary>On behalf of a query.</summary>
    Query,

    /// <summary>Pinging the oldest contact of a full bucket.</summary>
    Liveness,

    /// <summary>Nothing waits for the answer (a cache store, the opening ping of a session for a large request).</summary>
    FireAndForget,

    /// <summary>
    /// An app message. Its answer comes from the peer's application, so neither its delay nor its absence
    /// says anything about the node: no RTT sample, no failure against the routing table.
    /// </summary>
    Application,
}

/// <summary>
/// A request in flight, matched by its 64-bit random ID and its peer (or, for a peer known only by
/// address, <see cref="Address"/>). A value, kept inline in <see cref="OutstandingRequests"/>: tracking
/// a request allocates nothing.
/// </summary>
internal readonly record struct PendingRequest(
    ulong RequestId,
    QueryId? Owner,
    NodeId? Peer,
    EndPoint? Address,
    MessageType Type,
    RequestPurpose Purpose,
    DateTimeOffset SentAt,
    DateTimeOffset Deadline)
{
    /// <summary>The peer's session key, when it is known by key (not for an XX first contact by address).</summary>
    public Sessions.PeerKey Key { get; init; }
}
