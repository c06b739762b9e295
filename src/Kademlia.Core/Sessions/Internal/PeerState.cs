using System.Net;

namespace Kademlia.Sessions.Internal;

/// <summary>
/// Everything known about one peer: its keys, where it was last heard from, its sessions and replay state.
/// </summary>
/// <remarks>
/// Three session slots as in WireGuard: <see cref="Current"/> sends; <see cref="Previous"/> still decrypts
/// packets in flight across a rekey; <see cref="Next"/> holds a session we answered as responder while a
/// working one exists, and becomes current only once the peer proves it has the keys by sending on it.
/// </remarks>
internal sealed class PeerState
{
    public PeerState(PeerKey key, byte[] staticPublicKey, EndPoint endPoint)
    {
        Key = key;
        StaticPublicKey = staticPublicKey;
        EndPoint = endPoint;
        Mac.DeriveKey("mac1", staticPublicKey, Mac1Key);
    }

    public PeerKey Key { get; }

    /// <summary>The peer's X25519 static key, derived from <see cref="Key"/>.</summary>
    public byte[] StaticPublicKey { get; }

    /// <summary>SHA-256("mac1" || <see cref="StaticPublicKey"/>): the key of mac1 on packets we send to this peer (public data).</summary>
    public byte[] Mac1Key { get; } = new byte[32];

    public ulong ProofOfWorkNonce { get; set; }

    public EndPoint EndPoint { get; set; }

    /// <summary>When an authenticated transport packet last came from <see cref="EndPoint"/> (roaming's fallback rule).</summary>
    public DateTimeOffset HeardAtEndPoint { get; set; } = DateTimeOffset.MinValue;

    public TransportSession? Current { get; set; }

    public TransportSession? Previous { get; set; }

    public TransportSession? Next { get; set; }

    /// <summary>Our IK initiation to this peer that awaits an answer.</summary>
    public PendingHandshake? Pending { get; set; }

    /// <summary>A request whose initiation lost a simultaneous-initiation tie-break; sent once the peer's session exists.</summary>
    public byte[]? DeferredRequest { get; set; }

    /// <summary>The greatest initiation timestamp accepted from this peer.</summary>
    public Tai64N GreatestTimestamp { get; set; }

    /// <summary>A cookie the peer gave us, used as mac2 key on our initiations to it for two minutes.</summary>
    public byte[]? Cookie { get; set; }

    public DateTimeOffset CookieReceived { get; set; }

    public DateTimeOffset LastUsed { get; set; }

    /// <summary>Its node in the manager's list of strangers or of verified peers, by last use.</summary>
    public LinkedListNode<PeerState>? LruNode { get; set; }

    /// <summary>
    /// Whether the peer proved it holds its keys at its address: a session with it was confirmed (it
    /// answered our handshake, sent XX message 3, or sent transport data). Never reset while in the table.
    /// </summary>
    public bool Verified { get; set; }

    public PeerIdentity Identity => new(Key, ProofOfWorkNonce);
}
