using Kademlia.Identity;
using Kademlia.Routing;

namespace Kademlia.Wire;

/// <summary>
/// A contact as an answer carries it: public key, proof-of-work nonce and endpoint, and no ID.
/// </summary>
/// <remarks>
/// The ID is not on the wire because the receiver must recompute it from the key anyway (an ID
/// taken on trust could be anyone's). Decoding leaves it uncomputed so that a node can drop contacts
/// it already knows, comparing keys, before paying for <see cref="ToNodeInfo"/> (one SHA-256) and the
/// proof-of-work check (two more).
/// </remarks>
/// <param name="PublicKey">The node's Ed25519 public key.</param>
/// <param name="PowNonce">The node's dynamic proof-of-work nonce.</param>
/// <param name="Endpoint">Where the node receives UDP.</param>
public readonly record struct WireContact(NodePublicKey PublicKey, ulong PowNonce, NodeEndpoint Endpoint)
{
    /// <summary>Encoded size of a contact with an IPv4 endpoint: 32 + 8 + 1 + 4 + 2 = 47 bytes.</summary>
    public const int IPv4Size = NodePublicKey.Size + sizeof(ulong) + 1 + 4 + sizeof(ushort);

    /// <summary>Encoded size of a contact with an IPv6 endpoint: 32 + 8 + 1 + 16 + 2 = 59 bytes.</summary>
    public const int IPv6Size = NodePublicKey.Size + sizeof(ulong) + 1 + 16 + sizeof(ushort);

    /// <summary>The bytes this contact takes in a message.</summary>
    public int EncodedSize => Endpoint.IsIPv4 ? IPv4Size : IPv6Size;

    /// <summary>The wire form of a known node.</summary>
    public static WireContact FromNodeInfo(NodeInfo node) => new(node.PublicKey, node.PowNonce, node.Endpoint);

    /// <summary>The node with its ID derived from the key (one SHA-256). Check its proof-of-work before use.</summary>
    public NodeInfo ToNodeInfo() => new(PublicKey, PowNonce, Endpoint);
}
