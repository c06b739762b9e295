namespace Kademlia.Sessions.Noise;

/// <summary>Why a <see cref="HandshakeState"/> refused to read or write a message.</summary>
internal enum HandshakeError
{
    /// <summary>No failure.</summary>
    None,

    /// <summary>Not this side's turn, the pattern is finished, or an earlier failure poisoned the state.</summary>
    InvalidState,

    /// <summary>The message is shorter than its tokens, or the buffer cannot hold the output.</summary>
    Truncated,

    /// <summary>An encrypted static key or payload failed to authenticate.</summary>
    DecryptionFailed,

    /// <summary>
    /// A Diffie-Hellman result was all zeros because the remote key is a small-order point; libsodium's
    /// <c>crypto_scalarmult</c> refuses it, and Noise (section 12.1) allows aborting on it.
    /// </summary>
    LowOrderKey,
}
