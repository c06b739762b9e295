namespace Kademlia.Sessions;

/// <summary>The outcome of an operation that produces a packet.</summary>
internal enum SealStatus
{
    /// <summary>The destination holds a packet for <see cref="SealResult.EndPoint"/>.</summary>
    Sealed,

    /// <summary>No usable session with the peer: start one with <see cref="SessionManager.InitiateIk"/> carrying the data.</summary>
    NeedsHandshake,

    /// <summary>The payload does not fit one 1280-byte packet.</summary>
    PayloadTooLarge,

    /// <summary>The destination buffer is too small.</summary>
    DestinationTooSmall,

    /// <summary>The IK answer would exceed 3x the initiation received from an unproven address.</summary>
    AnswerTooLarge,

    /// <summary>The handshake token is unknown or expired.</summary>
    UnknownHandshake,

    /// <summary>The peer's key is not a valid Ed25519 point, or is our own key.</summary>
    InvalidPeerKey,

    /// <summary>Noise refused to write the handshake message (a Diffie-Hellman result was all zeros); the handshake is abandoned.</summary>
    HandshakeFailed,
}
