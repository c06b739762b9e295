using Kademlia.Routing;

namespace Kademlia.Sqlite;

/// <summary>A contact as a routing snapshot keeps it: what other nodes would be told about it, and when it was last heard from.</summary>
/// <param name="Node">Key, proof-of-work nonce and endpoint.</param>
/// <param name="LastSeen">When it last answered, to the millisecond.</param>
public readonly record struct SavedContact(NodeInfo Node, DateTimeOffset LastSeen);
