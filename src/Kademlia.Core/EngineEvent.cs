using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Routing;
using Kademlia.Wire;

namespace Kademlia;

/// <summary>Something the engine reports through <see cref="KademliaEngine.PollEvent"/>. The core never logs; the runtime does.</summary>
public abstract record EngineEvent;

/// <summary>A node entered the routing table.</summary>
/// <param name="Contact">The new contact, as it was when it entered (a snapshot: the table's own entry goes on changing).</param>
public sealed record ContactAdded(RoutingContact Contact) : EngineEvent;

/// <summary>A node left the routing table (unresponsive, or replaced after a failed liveness check).</summary>
/// <param name="Contact">The evicted contact, as it was when it left.</param>
public sealed record ContactEvicted(RoutingContact Contact) : EngineEvent;

/// <summary>Another node stored a value or provider record on us.</summary>
/// <param name="Key">The record key or topic.</param>
/// <param name="Source">The storing node.</param>
/// <param name="IsProvider">True for a provider record.</param>
public sealed record RecordStored(NodeId Key, NodeId Source, bool IsProvider) : EngineEvent;

/// <summary>Stored records expired and were dropped.</summary>
/// <param name="Keys">Their keys or topics.</param>
public sealed record RecordsExpired(IReadOnlyList<NodeId> Keys) : EngineEvent;

/// <summary>A FIND_PROVIDERS query found one more provider (reported as found, before the query ends).</summary>
/// <param name="Query">The query.</param>
/// <param name="Provider">The validated provider record.</param>
public sealed record ProviderFound(QueryId Query, ProviderRecord Provider) : EngineEvent;

/// <summary>
/// A GET found a valid value better than any before it: the first copy, then each higher sequence of a
/// mutable record, reported as it arrives (the query goes on to the k closest for a mutable key).
/// </summary>
/// <param name="Query">The query.</param>
/// <param name="Record">The validated record.</param>
/// <param name="Elapsed">Time since the query started.</param>
public sealed record ValueFound(QueryId Query, ValueRecord Record, TimeSpan Elapsed) : EngineEvent;

/// <summary>An operation finished; <see cref="Result"/> holds its outcome.</summary>
/// <param name="Query">The operation.</param>
/// <param name="Result">Its outcome.</param>
public sealed record QueryFinished(QueryId Query, QueryResult Result) : EngineEvent;

/// <summary>
/// The routing table fell below a few contacts (three), so the node is joining again from the seeds of
/// its last bootstrap; repeated with exponential backoff (5 s doubling to 5 min) until the table is healthy.
/// </summary>
/// <param name="TableSize">Contacts in the table when the attempt started.</param>
public sealed record Rebootstrapping(int TableSize) : EngineEvent;

/// <summary>Enough peers from distinct prefixes agreed on this node's public endpoint (or on a new one).</summary>
/// <param name="Endpoint">The endpoint peers see this node at.</param>
public sealed record ExternalAddressChanged(NodeEndpoint Endpoint) : EngineEvent;

/// <summary>A reachability probe reached a new conclusion.</summary>
/// <param name="Reachability">Whether packets from strangers reach this node.</param>
/// <param name="IsClient">Whether the node now runs as a client (kept out of routing tables).</param>
public sealed record ReachabilityChanged(NodeReachability Reachability, bool IsClient) : EngineEvent;

/// <summary>
/// An app message arrived on a channel an application receives on (<see cref="KademliaEngine.OpenAppChannel"/>).
/// A request waits for <see cref="KademliaEngine.ReplyApp"/>; a datagram is answered by nothing.
/// </summary>
/// <param name="From">
/// The sender, verified: its Ed25519 key authenticated the session the message came in on, its ID is the
/// SHA-256 of that key and its proof-of-work holds. The endpoint is where the message came from.
/// </param>
/// <param name="Channel">The channel it was sent to.</param>
/// <param name="Payload">The application's bytes.</param>
/// <param name="RequestId">The request ID, to answer a request with.</param>
/// <param name="ExpectsReply">True for an APP_REQUEST (answer it), false for an APP_DATAGRAM.</param>
public sealed record AppMessageReceived(NodeInfo From, string Channel, ReadOnlyMemory<byte> Payload, ulong RequestId, bool ExpectsReply) : EngineEvent;

/// <summary>
/// The list of values and announcements this node republishes changed (a put, an announce, an unpublish,
/// or republish times moved on): a host that keeps it across restarts saves <see cref="KademliaEngine.Published"/> now.
/// </summary>
/// <param name="Count">How many the list holds.</param>
public sealed record PublishedChanged(int Count) : EngineEvent;

/// <summary>
/// The path to a peer whose path is kept (<see cref="KademliaEngine.KeepLink"/>) changed: a relayed path went
/// direct (a later punch got through), a dead direct one fell back to a relay, or the peer was lost
/// (<see cref="PeerPath.None"/>: silent for two minutes; the path is no longer kept).
/// </summary>
/// <param name="Peer">The peer, as it was given to <see cref="KademliaEngine.KeepLink"/>.</param>
/// <param name="Path">The path now.</param>
public sealed record PeerPathChanged(NodeInfo Peer, PeerPath Path) : EngineEvent;

/// <summary>
/// A request of a lookup was answered or failed: one step of a FIND_NODE, GET, PUT, ANNOUNCE or
/// FIND_PROVIDERS started through the engine's API, as it happens. Reported only while
/// <see cref="KademliaEngine.ReportLookupSteps"/> is set, for a host that draws lookups (a dashboard);
/// the engine's own maintenance lookups and bootstraps are not reported.
/// </summary>
/// <param name="Query">The operation.</param>
/// <param name="Target">The ID or key it looks up.</param>
/// <param name="Peer">The node asked.</param>
/// <param name="Request">What it was asked: FIND_NODE, GET or GET_PROVIDERS while the lookup walks, PUT or ADD_PROVIDER when a store reaches the k closest.</param>
/// <param name="Rtt">How long the answer took, or null when the request timed out or was refused.</param>
public sealed record LookupStepped(QueryId Query, NodeId Target, NodeId Peer, MessageType Request, TimeSpan? Rtt) : EngineEvent;
