namespace Kademlia;

/// <summary>Whether a node offers itself to others' routing tables.</summary>
public enum NodeMode
{
    /// <summary>
    /// Decided by the probes: a client while <see cref="NodeReachability.Private"/>, a server while
    /// <see cref="NodeReachability.Public"/>; before they conclude, a server only if peers see it at the
    /// endpoint it advertises (a node with none, or seen elsewhere, is probably behind a NAT).
    /// </summary>
    Auto,

    /// <summary>Always a server: enters routing tables and stores records for others.</summary>
    Server,

    /// <summary>
    /// Always a client: marks its requests so that receivers keep it out of their routing tables (as BEP 43's
    /// read-only nodes); it still finds, gets, puts and announces through others.
    /// </summary>
    Client,
}
