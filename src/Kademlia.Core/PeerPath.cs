namespace Kademlia;

/// <summary>How this node's session with a peer carries packets.</summary>
public enum PeerPath
{
    /// <summary>No session.</summary>
    None,

    /// <summary>Straight between the two nodes' endpoints (reachable, or through punched NATs).</summary>
    Direct,

    /// <summary>Through a rendezvous node, in RELAY frames; still encrypted end to end between the two.</summary>
    Relayed,
}
