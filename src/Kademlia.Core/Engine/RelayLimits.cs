namespace Kademlia.Engine;

/// <summary>
/// What a rendezvous node lets relay circuits use. A circuit joins two nodes (one of them a client that keeps
/// a session with us) and carries their end-to-end encrypted packets; it ends at its duration or when one
/// direction has carried its bytes, and the same pair can open a new one only after the duration.
/// </summary>
/// <remarks>
/// The defaults are libp2p's circuit relay v2 (rust-libp2p <c>libp2p-relay</c>, <c>impl Default for Config</c>
/// in <c>src/behaviour.rs</c>; the same in kubo's <c>Swarm.RelayService</c>): 16 circuits, 4 per peer, 2
/// minutes and 128 KiB per direction. They are sized for what libp2p relays are for, coordinating a hole
/// punch and a few small messages, not for carrying a session: at most about 1 KiB/s per direction on
/// average, and at 16 circuits some 32 KiB/s through a volunteer. A game whose players cannot punch needs
/// a relay run with larger limits.
/// </remarks>
public sealed record RelayLimits
{
    /// <summary>libp2p's defaults (see the remarks).</summary>
    public static RelayLimits Default { get; } = new();

    /// <summary>No relaying at all: RELAY frames are dropped.</summary>
    public static RelayLimits Disabled { get; } = new() { MaxCircuits = 0 };

    /// <summary>Circuits open at once. Defaults to 16.</summary>
    public int MaxCircuits { get; init; } = 16;

    /// <summary>Circuits one node (either end) takes part in at once. Defaults to 4.</summary>
    public int MaxCircuitsPerPeer { get; init; } = 4;

    /// <summary>Bytes of relayed packets one circuit carries in each direction. Defaults to 128 KiB.</summary>
    public long MaxBytesPerDirection { get; init; } = 128 * 1024;

    /// <summary>How long a circuit lasts from its first frame. Defaults to 2 minutes.</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromMinutes(2);
}
