using System.Buffers.Binary;
using Kademlia.Routing;

namespace Kademlia.Mainline;

/// <summary>
/// The compact binary forms KRPC puts inside byte strings: peers (BEP 5, 6 bytes for IPv4; BEP 32, 18 bytes
/// for IPv6) and nodes (a 20-byte ID before the peer form: 26 bytes in <c>nodes</c>, 38 in <c>nodes6</c>).
/// Addresses and ports are big-endian.
/// </summary>
public static class CompactInfo
{
    /// <summary>An IPv4 peer: 4 address bytes and a 2-byte port.</summary>
    public const int PeerV4Size = 4 + 2;

    /// <summary>An IPv6 peer: 16 address bytes and a 2-byte port.</summary>
    public const int PeerV6Size = 16 + 2;

    /// <summary>An IPv4 node in <c>nodes</c>: ID, address, port.</summary>
    public const int NodeV4Size = MainlineId.Size + PeerV4Size;

    /// <summary>An IPv6 node in <c>nodes6</c>: ID, address, port.</summary>
    public const int NodeV6Size = MainlineId.Size + PeerV6Size;

    /// <summary>The bytes of <paramref name="endpoint"/> in peer form: 6 for IPv4, 18 for IPv6.</summary>
    public static int PeerSize(NodeEndpoint endpoint) => endpoint.IsIPv4 ? PeerV4Size : PeerV6Size;

    /// <summary>Reads a peer of exactly 6 (IPv4) or 18 (IPv6) bytes; false for any other length.</summary>
    public static bool TryReadPeer(ReadOnlySpan<byte> source, out NodeEndpoint endpoint)
    {
        switch (source.Length)
        {
            case PeerV4Size:
                endpoint = NodeEndpoint.FromIPv4(BinaryPrimitives.ReadUInt32BigEndian(source), BinaryPrimitives.ReadUInt16BigEndian(source[4..]));
                return true;
            case PeerV6Size:
                endpoint = NodeEndpoint.FromIPv6(source[..16], BinaryPrimitives.ReadUInt16BigEndian(source[16..]));
                return true;
            default:
                endpoint = default;
                return false;
        }
    }

    /// <summary>Writes <paramref name="endpoint"/> in peer form; returns the bytes written.</summary>
    public static int WritePeer(Span<byte> destination, NodeEndpoint endpoint)
    {
        if (endpoint.IsIPv4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, endpoint.IPv4Address);
            BinaryPrimitives.WriteUInt16BigEndian(destination[4..], endpoint.Port);
            return PeerV4Size;
        }

        endpoint.WriteAddress(destination);
        BinaryPrimitives.WriteUInt16BigEndian(destination[16..], endpoint.Port);
        return PeerV6Size;
    }

    /// <summary>
    /// Reads a <c>nodes</c> (<paramref name="ipv6"/> false, 26-byte entries) or <c>nodes6</c> (38-byte
    /// entries) string; false unless its length is a whole number of entries.
    /// </summary>
    public static bool TryReadNodes(ReadOnlySpan<byte> source, bool ipv6, out MainlineNode[] nodes)
    {
        var size = ipv6 ? NodeV6Size : NodeV4Size;
        if (source.Length % size != 0)
        {
            nodes = [];
            return false;
        }

        nodes = new MainlineNode[source.Length / size];
        for (var i = 0; i < nodes.Length; i++)
        {
            var entry = source.Slice(i * size, size);
            TryReadPeer(entry[MainlineId.Size..], out var endpoint);
            nodes[i] = new MainlineNode(new MainlineId(entry[..MainlineId.Size]), endpoint);
        }

        return true;
    }

    /// <summary>
    /// Encodes <paramref name="nodes"/> as a <c>nodes</c> or <c>nodes6</c> string.
    /// </summary>
    /// <exception cref="ArgumentException">A node's address family is not the one the string holds.</exception>
    public static byte[] EncodeNodes(IReadOnlyList<MainlineNode> nodes, bool ipv6)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var size = ipv6 ? NodeV6Size : NodeV4Size;
        var bytes = new byte[nodes.Count * size];
        for (var i = 0; i < nodes.Count; i++)
        {
            if (nodes[i].Endpoint.IsIPv4 == ipv6)
            {
                throw new ArgumentException($"{(ipv6 ? "nodes6" : "nodes")} holds only {(ipv6 ? "IPv6" : "IPv4")} nodes; {nodes[i].Endpoint} is not one.", nameof(nodes));
            }

            var entry = bytes.AsSpan(i * size, size);
            nodes[i].Id.WriteTo(entry);
            WritePeer(entry[MainlineId.Size..], nodes[i].Endpoint);
        }

        return bytes;
    }
}
