namespace Kademlia.Simulation;

/// <summary>
/// A realistic mix of home NATs to draw players from. 82% map independently of the destination (Ford,
/// Srisuresh and Kegel, "Peer-to-Peer Communication Across Network Address Translators", USENIX ATC 2005:
/// 82% of the NATs they tested support UDP hole punching); the rest are taken as symmetric. How the 82%
/// filter is not in that survey: they are split evenly over full, restricted and port-restricted cones,
/// an assumption.
/// </summary>
public static class NatMix
{
    /// <summary>The share of NATs that map independently of the destination.</summary>
    public const double EndpointIndependentShare = 0.82;

    /// <summary>Each kind (a name of <see cref="NatKinds.Names"/>) with its share of the mix.</summary>
    public static IReadOnlyList<(string Kind, double Share)> Shares { get; } =
    [
        ("full-cone", EndpointIndependentShare / 3),
        ("restricted-cone", EndpointIndependentShare / 3),
        ("port-restricted-cone", EndpointIndependentShare / 3),
        ("symmetric", 1 - EndpointIndependentShare),
    ];

    /// <summary>Draws a kind from the mix with <paramref name="random"/>.</summary>
    public static string Draw(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var x = random.NextDouble();
        foreach (var (kind, share) in Shares)
        {
            if ((x -= share) < 0)
            {
                return kind;
            }
        }

        return Shares[^1].Kind;
    }
}
