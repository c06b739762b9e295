using Kademlia.Identity;
using Kademlia.Routing;

namespace Kademlia.Records;

/// <summary>
/// Who stored a record: the source node's ID and the network prefix it spoke from. The store's quotas
/// and its eviction count entries per prefix as well as per ID, because IDs are cheap to make (a
/// Sybil grinds as many as it likes) while addresses in distinct prefixes are not.
/// </summary>
/// <param name="Id">The source node's ID (the node's own ID for its own records).</param>
/// <param name="Prefix">
/// The source's prefix as <see cref="ForPeer"/> computes it: the /24 (IPv4) or /48 (IPv6) of its endpoint.
/// </param>
public readonly record struct RecordSource(NodeId Id, ulong Prefix)
{
    /// <summary>
    /// The source of a record received from <paramref name="id"/> at <paramref name="endpoint"/>: its
    /// <see cref="NodeEndpoint.SubnetKey"/>, or, for a loopback endpoint on a test network
    /// (<paramref name="loopbackPerEndpoint"/>, from <see cref="NetworkParameters.ExemptLoopbackFromDiversityLimits"/>),
    /// the loopback endpoint itself, since every node of a test on one machine shares 127.0.0.1.
    /// </summary>
    public static RecordSource ForPeer(NodeId id, NodeEndpoint endpoint, bool loopbackPerEndpoint) =>
        new(id, endpoint.PrefixKey(loopbackPerEndpoint));

    /// <summary>
    /// A source whose endpoint is unknown (the node itself, or a record kept by an older store): a
    /// prefix of its own, derived from its ID, that no endpoint's prefix can equal.
    /// </summary>
    public static RecordSource ForId(NodeId id)
    {
        Span<byte> bytes = stackalloc byte[NodeId.Size];
        id.WriteTo(bytes);
        return new(id, IdTag | (System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes) >> 3));
    }

    /// <summary>A source known by its ID only; see <see cref="ForId"/>.</summary>
    public static implicit operator RecordSource(NodeId id) => ForId(id);

    // Prefix spaces: IPv4 /24s have bit 63 set, IPv6 /48s fit in 48 bits, loopback endpoints are tagged
    // with bit 62 (NodeEndpoint.PrefixKey) and ID-derived prefixes with bit 61 only, so the four never collide.
    private const ulong IdTag = 1UL << 61;
}
