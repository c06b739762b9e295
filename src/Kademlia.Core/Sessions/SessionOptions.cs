namespace Kademlia.Sessions;

/// <summary>Settings of a <see cref="SessionManager"/>.</summary>
internal sealed class SessionOptions
{
    /// <summary>The network ID every packet carries; packets of other networks are dropped. Defaults to 0.</summary>
    public uint NetworkId { get; init; }

    /// <summary>
    /// How many peers (with their sessions) are kept; the least recently used is evicted beyond it. Defaults to 4096.
    /// </summary>
    public int MaxPeers { get; init; } = 4096;

    /// <summary>
    /// How many handshakes may be in progress at once (both roles). Defaults to 1024.
    /// </summary>
    public int MaxPendingHandshakes { get; init; } = 1024;

    /// <summary>
    /// How many of <see cref="MaxPendingHandshakes"/> are kept for this node's own initiations: handshakes
    /// answered for others never take them, so a flood of initiations cannot push out our own. Each role
    /// abandons its own oldest handshake beyond its quota. Defaults to 256.
    /// </summary>
    public int ReservedInitiatorHandshakes { get; init; } = 256;

    /// <summary>
    /// The smallest IK initiation this node sends, in bytes. Initiations are also padded to a third of the
    /// largest answer they expect (the 3x rule). Defaults to 0 (no extra floor).
    /// </summary>
    public int MinInitiationSize { get; init; }

    /// <summary>
    /// The answer size assumed when <see cref="SessionManager.InitiateIk"/> is not told one: the largest answer
    /// an IK response can carry, so that any answer fits under the 3x rule. Defaults to <see cref="PacketFormat.MaxResponseAnswer"/>.
    /// </summary>
    public int DefaultExpectedAnswerSize { get; init; } = PacketFormat.MaxResponseAnswer;

    /// <summary>
    /// Checked for an initiator's Ed25519 key and proof-of-work nonce (IK initiation, XX message 3) before any
    /// peer state is created; false drops the packet as <see cref="SessionDropReason.IdentityRefused"/>. The
    /// engine checks the network's proof-of-work here. Defaults to null (every identity accepted).
    /// </summary>
    public Func<PeerKey, ulong, bool>? AcceptIdentity { get; init; }

    /// <summary>
    /// New peer entries a second that handshakes from one prefix may create (strangers' IK initiations and
    /// XX messages 3; our own initiations are not counted). Defaults to 16.
    /// </summary>
    public double NewPeersPerSecondPerPrefix { get; init; } = 16;

    /// <summary>New peer entries one prefix may create in a burst. Defaults to 64.</summary>
    public double NewPeerBurstPerPrefix { get; init; } = 64;

    /// <summary>
    /// The prefix a source address counts under for <see cref="NewPeersPerSecondPerPrefix"/>. Defaults to
    /// <see cref="NodeEndpoint.SubnetKey"/> (an IPv4 /24, an IPv6 /48); the engine passes its own rule,
    /// which on test networks counts each loopback endpoint apart.
    /// </summary>
    public Func<System.Net.EndPoint, ulong> PrefixOf { get; init; } = DefaultPrefixOf;

    /// <summary>
    /// How long a verified peer must have been idle before a stranger may take its place in a full table.
    /// Defaults to 10 minutes (sessions expire after 3, so such a peer has no live session left).
    /// </summary>
    public TimeSpan VerifiedIdleEviction { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Which endpoints are indirect (the engine's made-up relay endpoints). A packet from an indirect endpoint
    /// moves a peer off a direct one only once nothing came from the direct one for <see cref="IndirectFallbackAfter"/>:
    /// while both paths carry packets (a punch moving a relayed session to a direct path) the direct one is kept.
    /// Defaults to null: every endpoint is alike, and the newest packet moves the peer (WireGuard's rule).
    /// </summary>
    public Func<System.Net.EndPoint, bool>? IsIndirect { get; init; }

    /// <summary>How long a direct endpoint must be silent before an indirect one takes over (<see cref="IsIndirect"/>). Defaults to 2 s.</summary>
    public TimeSpan IndirectFallbackAfter { get; init; } = TimeSpan.FromSeconds(2);

    private static ulong DefaultPrefixOf(System.Net.EndPoint endPoint) =>
        endPoint is System.Net.IPEndPoint ip ? NodeEndpoint.FromIPEndPoint(ip).SubnetKey : 0;
}
