namespace Kademlia.Sessions;

/// <summary>
/// Session lifetimes and limits. The values are WireGuard's (Donenfeld, "WireGuard: Next Generation Kernel
/// Network Tunnel", section 6.1), which bound how much traffic and time one key protects.
/// </summary>
internal static class SessionTimers
{
    /// <summary>REKEY_AFTER_MESSAGES: the initiator of a session starts a new handshake after this many sends.</summary>
    public const ulong RekeyAfterMessages = 1UL << 60;

    /// <summary>
    /// REJECT_AFTER_MESSAGES = 2^64 - 2^13 - 1: no counter at or above this is sent or accepted, leaving room
    /// below the nonce Noise reserves and for the replay window.
    /// </summary>
    public const ulong RejectAfterMessages = ulong.MaxValue - (1UL << 13);

    /// <summary>REKEY_AFTER_TIME: the session initiator rekeys when it sends on a session this old.</summary>
    public static readonly TimeSpan RekeyAfterTime = TimeSpan.FromSeconds(120);

    /// <summary>REJECT_AFTER_TIME: a session this old neither sends nor receives; past it, a new handshake is required.</summary>
    public static readonly TimeSpan RejectAfterTime = TimeSpan.FromSeconds(180);

    /// <summary>REKEY_TIMEOUT: an unanswered initiation is retried (with a fresh ephemeral and timestamp) after this long.</summary>
    public static readonly TimeSpan RekeyTimeout = TimeSpan.FromSeconds(5);

    /// <summary>REKEY_ATTEMPT_TIME: retries stop after this long; the engine's own request timeout reports the failure.</summary>
    public static readonly TimeSpan RekeyAttemptTime = TimeSpan.FromSeconds(90);

    /// <summary>Cookie secrets rotate this often (WireGuard: 2 minutes); a cookie is valid for the current and previous secret.</summary>
    public static readonly TimeSpan CookieSecretLifetime = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Sessions (and peers with no session) are forgotten this long after creation: three times REJECT_AFTER_TIME,
    /// as WireGuard erases keys, which keeps recent initiation timestamps long enough to reject replays.
    /// </summary>
    public static readonly TimeSpan ForgetAfterTime = TimeSpan.FromSeconds(540);
}
