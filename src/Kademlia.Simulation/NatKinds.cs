namespace Kademlia.Simulation;

/// <summary>
/// The four classic NAT kinds by their RFC 3489 names, as the emulator's mapping and filtering pairs, and
/// whether theory lets a hole punch through a pair of them.
/// </summary>
public static class NatKinds
{
    /// <summary>The kinds' names, from the most to the least permissive.</summary>
    public static IReadOnlyList<string> Names { get; } = ["full-cone", "restricted-cone", "port-restricted-cone", "symmetric"];

    /// <summary>The behaviour of the kind called <paramref name="name"/> (one of <see cref="Names"/>).</summary>
    public static NatBehavior Named(string name) => name switch
    {
        "full-cone" => NatBehavior.FullCone,
        "restricted-cone" => NatBehavior.RestrictedCone,
        "port-restricted-cone" => NatBehavior.PortRestrictedCone,
        "symmetric" => NatBehavior.Symmetric,
        _ => throw new ArgumentException($"Unknown NAT kind '{name}'.", nameof(name)),
    };

    /// <summary>
    /// Whether theory lets a punch through (RFC 5128 §3.3 and §4): both NATs map independently of the
    /// destination, or one maps per destination and the other filters only by address (or not at all), so
    /// that the packets from the new port it maps are let in.
    /// </summary>
    public static bool PunchableInTheory(NatBehavior a, NatBehavior b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return (a.Mapping == MappingBehavior.EndpointIndependent && b.Mapping == MappingBehavior.EndpointIndependent)
            || (a.Mapping == MappingBehavior.EndpointIndependent && a.Filtering != FilteringBehavior.AddressAndPortDependent)
            || (b.Mapping == MappingBehavior.EndpointIndependent && b.Filtering != FilteringBehavior.AddressAndPortDependent);
    }
}
