using Kademlia.Identity;
using Kademlia.Routing;
using Kademlia.Sessions;

namespace Kademlia.Engine.Internal;

/// <summary>
/// Whether an authenticated sender's node ID meets the network's proof-of-work. A peer verified once is
/// remembered by its key, so the hashes of ID and puzzles are not repeated for every packet of a session;
/// the proof-of-work nonces of the contacts we reach are remembered too, because an IK responder (or a
/// peer answering on a session we opened) does not repeat its nonce. Both tables are bounded at twice the
/// session table and cleared when full (a forgotten peer is simply verified again).
/// </summary>
internal sealed class PeerVerification(NetworkParameters network, int maxSessions)
{
    private readonly Dictionary<NodeId, ulong> _knownNonces = [];
    private readonly Dictionary<PeerKey, (NodeId Id, ulong Nonce)> _verified = [];
    private readonly HashSet<PeerKey> _clients = [];

    /// <summary>Records whether <paramref name="peer"/>'s latest request carried the CLIENT flag.</summary>
    public void SetClient(PeerKey peer, bool isClient)
    {
        if (!isClient)
        {
            _clients.Remove(peer);
            return;
        }

        if (_clients.Count >= 2 * maxSessions)
        {
            _clients.Clear();
        }

        _clients.Add(peer);
    }

    /// <summary>Whether <paramref name="peer"/> said it is a client: it must not enter the routing table.</summary>
    public bool IsClient(PeerKey peer) => _clients.Contains(peer);

    /// <summary>The sender as a contact at <paramref name="endpoint"/>, or false when its proof-of-work fails.</summary>
    public bool TryVerify(PeerIdentity identity, NodeEndpoint endpoint, out NodeInfo peer)
    {
        var key = new NodePublicKey(identity.Key.Span);
        if (_verified.TryGetValue(identity.Key, out var known)
            && (identity.ProofOfWorkNonce == known.Nonce || identity.ProofOfWorkNonce == 0))
        {
            peer = new NodeInfo(known.Id, key, known.Nonce, endpoint);
            return true;
        }

        peer = new NodeInfo(key, identity.ProofOfWorkNonce, endpoint);
        if (!peer.MeetsProofOfWork(network) && _knownNonces.TryGetValue(peer.Id, out var knownNonce))
        {
            peer = new NodeInfo(peer.Id, key, knownNonce, endpoint);
        }

        if (!peer.MeetsProofOfWork(network))
        {
            return false;
        }

        if (_verified.Count >= 2 * maxSessions)
        {
            _verified.Clear();
        }

        _verified[identity.Key] = (peer.Id, peer.PowNonce);
        return true;
    }

    /// <summary>Keeps the proof-of-work nonce of a contact we are about to reach.</summary>
    public void RememberNonce(NodeInfo peer)
    {
        if (_knownNonces.Count >= 2 * maxSessions)
        {
            _knownNonces.Clear();
        }

        _knownNonces[peer.Id] = peer.PowNonce;
    }
}
