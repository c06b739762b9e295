namespace Kademlia.Mainline;

/// <summary>
/// Bounds the bencode reader enforces, so hostile input costs at most linear time and memory in its length
/// and a fixed stack depth.
/// </summary>
public sealed record BencodeLimits
{
    /// <summary>
    /// The deepest nesting any value may have, read or built. The writer and the structural comparisons
    /// recurse, so a bound keeps them off the end of the stack; 64 is far above anything KRPC or BEP 44 sends.
    /// </summary>
    public const int MaxSupportedDepth = 64;

    /// <summary>The limits for one KRPC datagram; see the properties for the values.</summary>
    public static BencodeLimits Default { get; } = new();

    /// <summary>
    /// The deepest nesting of lists and dictionaries accepted. Defaults to 32: a KRPC message is three deep
    /// (message, arguments, a list) and a BEP 44 value of at most 1000 bytes rarely needs more.
    /// </summary>
    public int MaxDepth { get; init; } = 32;

    /// <summary>
    /// The longest input accepted, in bytes. Defaults to 65,507, the largest UDP payload over IPv4: KRPC is
    /// one message per datagram, so no sender can have sent more.
    /// </summary>
    public int MaxInputLength { get; init; } = 65_507;

    internal static int CheckDepth(int depth) => depth <= MaxSupportedDepth
        ? depth
        : throw new ArgumentException($"Bencoded values nest at most {MaxSupportedDepth} containers deep.");
}
