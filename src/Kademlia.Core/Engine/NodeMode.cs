namespace Kademlia.Engine;

/// <summary>Whether a node offers itself to others' routing tables.</summary>
public enum NodeMode
{
    /// <summary>Server until its probes find it <see cref="NodeReachability.Private"/>, then client; back to server when reachable.</summary>
    Auto,

    /// <summary>Always a server: enters routing tables and stores records for others.</summary>
    Server,

    /// <summary>
    /// Always a client: marks its requests so that receivers keep it out of their routing tables (as BEP 43's
    /// read-only nodes); it still finds, gets, puts and announces through others.
    /// </summary>
    Client,
}
