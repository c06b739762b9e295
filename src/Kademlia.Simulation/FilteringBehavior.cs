namespace Kademlia.Simulation;

/// <summary>
/// Which inbound datagrams a <see cref="Nat"/> lets through a live mapping to the inside endpoint (RFC 4787 §5).
/// A datagram to an outside port with no live mapping is never let through, whatever the filtering.
/// </summary>
public enum FilteringBehavior
{
    /// <summary>Anyone may send to a live mapping ("full cone"): reachable by peers the inside node never contacted.</summary>
    EndpointIndependent,

    /// <summary>Only IP addresses the inside endpoint has sent to through this mapping (any port of theirs) ("restricted cone").</summary>
    AddressDependent,

    /// <summary>Only the exact IP:port endpoints the inside endpoint has sent to through this mapping ("port-restricted cone").</summary>
    AddressAndPortDependent,
}
