namespace Kademlia.Mainline;

/// <summary>What a <see cref="MainlineEngine"/> operation does.</summary>
public enum MainlineOperationKind
{
    /// <summary>Asks routers or known nodes for our neighbourhood, then looks our own ID up.</summary>
    Bootstrap,

    /// <summary>Pings one node; it enters the table if it answers.</summary>
    Ping,

    /// <summary>A <c>find_node</c> lookup of the closest nodes to a target.</summary>
    FindNode,

    /// <summary>A <c>get_peers</c> lookup of an info-hash's peers.</summary>
    GetPeers,

    /// <summary>A <c>get_peers</c> lookup, then <c>announce_peer</c> on the closest nodes that gave a token.</summary>
    Announce,

    /// <summary>A BEP 44 <c>get</c> lookup of an immutable or mutable item.</summary>
    GetItem,

    /// <summary>A BEP 44 <c>get</c> lookup for tokens, then <c>put</c> on the closest nodes.</summary>
    PutItem,
}
