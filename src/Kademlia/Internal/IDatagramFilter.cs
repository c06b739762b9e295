using System.Net;

namespace Kademlia.Internal;

/// <summary>
/// A test seam: what a <see cref="DhtNode"/> sends and receives passes it, so that a test on loopback can
/// put a node behind the filtering of a NAT or a firewall. Called on the node's loop only.
/// </summary>
internal interface IDatagramFilter
{
    /// <summary>The node sent a datagram to <paramref name="destination"/>.</summary>
    void Sent(EndPoint destination);

    /// <summary>Whether a datagram from <paramref name="source"/> reaches the node; false drops it unseen.</summary>
    bool Admits(EndPoint source);
}
