using Kademlia.Routing;

namespace Kademlia.Mainline;

/// <summary>A Mainline DHT node as KRPC carries it: its ID and UDP endpoint (BEP 5 "compact node info").</summary>
/// <param name="Id">The node's 160-bit ID.</param>
/// <param name="Endpoint">Where it listens: IPv4 in <c>nodes</c>, IPv6 in <c>nodes6</c> (BEP 32).</param>
public readonly record struct MainlineNode(MainlineId Id, NodeEndpoint Endpoint);
