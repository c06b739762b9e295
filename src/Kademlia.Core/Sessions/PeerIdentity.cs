namespace Kademlia.Sessions;

/// <summary>
/// What a handshake proved about the peer: it holds the private key of <paramref name="Key"/>, and it claims
/// <paramref name="ProofOfWorkNonce"/>. The session layer does not check the proof of work: the engine owns
/// the network's difficulty and must verify the nonce before trusting the peer.
/// </summary>
/// <param name="Key">The peer's Ed25519 public key, checked against its Noise static key.</param>
/// <param name="ProofOfWorkNonce">The dynamic-puzzle nonce the peer sent, unverified.</param>
internal readonly record struct PeerIdentity(PeerKey Key, ulong ProofOfWorkNonce);
