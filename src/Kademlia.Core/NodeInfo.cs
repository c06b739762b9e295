using Kademlia.Identity;
using Kademlia.Routing;

namespace Kademlia;

/// <summary>
/// What one node tells another about a third: its public key, proof-of-work nonce and endpoint.
/// The ID is recomputed from the key, never taken on trust.
/// </summary>
/// <remarks>
/// A <see cref="NodeInfo"/> learned from a third party is a lookup candidate only. It enters a
/// routing table, as a <see cref="Contact"/>, after an authenticated exchange with the node itself.
/// </remarks>
public readonly struct NodeInfo : IEquatable<NodeInfo>
{
    /// <summary>Builds the info and derives the ID from <paramref name="publicKey"/>.</summary>
    public NodeInfo(NodePublicKey publicKey, ulong powNonce, NodeEndpoint endpoint)
    {
        PublicKey = publicKey;
        PowNonce = powNonce;
        Endpoint = endpoint;
        Id = publicKey.ToNodeId();
    }

    /// <summary>Rebuilds the info of a contact whose ID was already derived (or assigned) when it was created.</summary>
    internal NodeInfo(NodeId id, NodePublicKey publicKey, ulong powNonce, NodeEndpoint endpoint)
    {
        Id = id;
        PublicKey = publicKey;
        PowNonce = powNonce;
        Endpoint = endpoint;
    }

    /// <summary>
    /// A node whose ID is assigned rather than derived from its key: for benchmarks that need full
    /// deep buckets and for the simulator's message-level mode, never for anything from the wire.
    /// </summary>
    internal static NodeInfo WithAssignedId(NodeId id, NodeEndpoint endpoint) => new(id, default, 0, endpoint);

    /// <summary>SHA-256 of <see cref="PublicKey"/>.</summary>
    public NodeId Id { get; }

    /// <summary>The node's Ed25519 public key.</summary>
    public NodePublicKey PublicKey { get; }

    /// <summary>The node's dynamic proof-of-work nonce.</summary>
    public ulong PowNonce { get; }

    /// <summary>Where the node receives UDP.</summary>
    public NodeEndpoint Endpoint { get; }

    /// <summary>Whether the node's ID and nonce meet <paramref name="network"/>'s puzzles.</summary>
    public bool MeetsProofOfWork(NetworkParameters network) => ProofOfWork.Verify(Id, PowNonce, network);

    /// <summary>The info of a local identity reachable at <paramref name="endpoint"/>.</summary>
    public static NodeInfo Of(NodeIdentity identity, NodeEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return new NodeInfo(identity.PublicIdentity, identity.PowNonce, endpoint);
    }

    /// <inheritdoc/>
    public bool Equals(NodeInfo other) => Id == other.Id && PowNonce == other.PowNonce && Endpoint == other.Endpoint;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is NodeInfo other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Id, Endpoint);

    /// <summary>Equality of key, nonce and endpoint.</summary>
    public static bool operator ==(NodeInfo left, NodeInfo right) => left.Equals(right);

    /// <summary>Inequality of key, nonce or endpoint.</summary>
    public static bool operator !=(NodeInfo left, NodeInfo right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() => $"{Id.ToShortString()}@{Endpoint}";
}
