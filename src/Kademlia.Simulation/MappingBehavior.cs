namespace Kademlia.Simulation;

/// <summary>
/// How a <see cref="Nat"/> chooses the outside endpoint of an inside endpoint's datagrams (RFC 4787 §4.1):
/// which part of the destination a mapping depends on, and so whether two peers see the same outside endpoint.
/// </summary>
public enum MappingBehavior
{
    /// <summary>
    /// One mapping per inside endpoint, whatever the destination: every peer sees the same outside
    /// endpoint, so the endpoint one peer observes is the one others can reach (RFC 4787 REQ-1 asks for this).
    /// </summary>
    EndpointIndependent,

    /// <summary>One mapping per inside endpoint and destination IP address: peers at different addresses see different outside ports.</summary>
    AddressDependent,

    /// <summary>
    /// One mapping per inside endpoint and destination IP:port (a "symmetric" NAT): every peer sees its own
    /// outside port, so an observed endpoint is useless to anyone else.
    /// </summary>
    AddressAndPortDependent,
}
