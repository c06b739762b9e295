namespace Kademlia.Sessions;

/// <summary>Why a datagram was dropped. Closed: the engine counts drops per reason.</summary>
internal enum SessionDropReason
{
    /// <summary>Shorter than its packet type requires.</summary>
    Truncated = 1,

    /// <summary>Longer than 1280 bytes, or longer than its packet type allows.</summary>
    TooLarge,

    /// <summary>Byte 0 is not a version we speak.</summary>
    UnsupportedVersion,

    /// <summary>The network ID belongs to another network.</summary>
    WrongNetwork,

    /// <summary>Byte 1 is not a known packet type.</summary>
    UnknownPacketType,

    /// <summary>mac1 does not verify: the packet was not made for our static key (or was reflected).</summary>
    InvalidMac1,

    /// <summary>The Noise message failed to decrypt or authenticate.</summary>
    HandshakeFailed,

    /// <summary>The decrypted handshake payload is malformed.</summary>
    MalformedPayload,

    /// <summary>The Ed25519 key in the payload does not map to the Noise static key.</summary>
    IdentityMismatch,

    /// <summary>The initiation's timestamp is not newer than the greatest seen from that key.</summary>
    ReplayedInitiation,

    /// <summary>Both sides initiated at once and this side, having the lower key, keeps its own initiation.</summary>
    SimultaneousInitiation,

    /// <summary>The packet carries our own key or ephemeral: it was reflected back to us.</summary>
    Reflection,

    /// <summary>No session or handshake has this receiver index.</summary>
    UnknownIndex,

    /// <summary>The index exists but names a slot in another state (e.g. a response for a responder slot).</summary>
    UnexpectedPacket,

    /// <summary>The transport counter was already received or is older than the replay window.</summary>
    Replayed,

    /// <summary>The transport ciphertext failed to authenticate.</summary>
    DecryptionFailed,

    /// <summary>The session is older than the reject-after time or has used its counter space.</summary>
    SessionExpired,

    /// <summary>A cookie reply that does not decrypt or was not expected.</summary>
    InvalidCookieReply,

    /// <summary>Too many handshakes in progress; under attack the table is bounded rather than grown.</summary>
    TooManyHandshakes,

    /// <summary>
    /// A key in a handshake message is a small-order Curve25519 point: the Diffie-Hellman result is all zeros, so
    /// the keys derived from it would be known to anyone. Nothing is answered and no state is kept.
    /// </summary>
    LowOrderKey,

    /// <summary>
    /// The initiator's identity was refused before any peer state was created for it (its proof-of-work
    /// fails), so cheap keys cannot fill the peer table.
    /// </summary>
    IdentityRefused,

    /// <summary>
    /// A new key's handshake from a prefix (IPv4 /24, IPv6 /48) that created more peer entries recently
    /// than <see cref="SessionOptions.NewPeersPerSecondPerPrefix"/> allows: one source of valid identities
    /// cannot churn the peer table. No peer state is created; the handshake is abandoned.
    /// </summary>
    NewPeerRateLimited,

    /// <summary>
    /// A new key's handshake while the peer table is full of verified peers none of which has been idle
    /// long: a stranger never pushes out a peer that proved itself. No peer state is created.
    /// </summary>
    PeerTableFull,
}
