namespace Kademlia.Simulation;

/// <summary>
/// How a <see cref="Nat"/> behaves, in the terms of RFC 4787 ("NAT Behavioral Requirements for Unicast UDP").
/// The default is the common home router: endpoint-independent mapping, address-and-port-dependent
/// filtering, a 30 s idle timeout refreshed by outbound traffic only, hairpinning.
/// </summary>
/// <remarks>
/// The classic STUN names (RFC 3489) map onto pairs of behaviours: <see cref="FullCone"/>,
/// <see cref="RestrictedCone"/>, <see cref="PortRestrictedCone"/> and <see cref="Symmetric"/>.
/// </remarks>
public sealed record NatBehavior
{
    /// <summary>
    /// The idle time after which a mapping is removed: 30 s. RFC 4787 REQ-5 asks for at least 2 minutes,
    /// but many home routers forget a UDP mapping after about 30 s, which is why WireGuard's persistent
    /// keepalive is 25 s.
    /// </summary>
    public static readonly TimeSpan DefaultMappingTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Which part of the destination a mapping depends on. Defaults to <see cref="MappingBehavior.EndpointIndependent"/>.</summary>
    public MappingBehavior Mapping { get; init; } = MappingBehavior.EndpointIndependent;

    /// <summary>Which sources may send through a live mapping. Defaults to <see cref="FilteringBehavior.AddressAndPortDependent"/>.</summary>
    public FilteringBehavior Filtering { get; init; } = FilteringBehavior.AddressAndPortDependent;

    /// <summary>
    /// How long a mapping, and each destination's permission to answer through it, lives without
    /// outbound traffic (idle for this long or longer means gone). Defaults to <see cref="DefaultMappingTimeout"/> (30 s).
    /// </summary>
    public TimeSpan MappingTimeout { get; init; } = DefaultMappingTimeout;

    /// <summary>
    /// Whether an admitted inbound datagram also refreshes the mapping and the sender's permission
    /// (RFC 4787 REQ-6 requires only outbound refresh; some routers, like Linux conntrack, refresh both ways).
    /// Defaults to false, the stricter case a keepalive must survive.
    /// </summary>
    public bool InboundRefresh { get; init; }

    /// <summary>
    /// Whether a datagram from an inside endpoint to the NAT's own outside address is turned back inside,
    /// with the sender's outside endpoint as its source (RFC 4787 REQ-9). Defaults to true; false drops it.
    /// </summary>
    public bool Hairpinning { get; init; } = true;

    /// <summary>Endpoint-independent mapping and filtering: anyone can send to a live mapping.</summary>
    public static NatBehavior FullCone { get; } = new() { Filtering = FilteringBehavior.EndpointIndependent };

    /// <summary>Endpoint-independent mapping, address-dependent filtering.</summary>
    public static NatBehavior RestrictedCone { get; } = new() { Filtering = FilteringBehavior.AddressDependent };

    /// <summary>Endpoint-independent mapping, address-and-port-dependent filtering (the default).</summary>
    public static NatBehavior PortRestrictedCone { get; } = new();

    /// <summary>Address-and-port-dependent mapping and filtering: each peer sees its own outside port.</summary>
    public static NatBehavior Symmetric { get; } = new() { Mapping = MappingBehavior.AddressAndPortDependent };
}
