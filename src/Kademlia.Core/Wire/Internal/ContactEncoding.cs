using Kademlia.Identity;
using Kademlia.Routing;

namespace Kademlia.Wire.Internal;

/// <summary>
/// Endpoints and contacts on the wire. An endpoint is a family byte (4 or 6), the address (4 or 16
/// bytes) and the port (2 bytes, big-endian); a contact is the public key (32), the PoW nonce (8,
/// big-endian) and an endpoint. IPv4 is sent as 4 bytes, never IPv4-mapped, which is what lets twenty
/// IPv6 contacts fit a packet while keeping one encoding per endpoint.
/// </summary>
internal static class ContactEncoding
{
    public const byte FamilyIPv4 = 4;
    public const byte FamilyIPv6 = 6;

    public const int IPv4EndpointSize = 1 + 4 + sizeof(ushort);
    public const int IPv6EndpointSize = 1 + 16 + sizeof(ushort);

    public static int EndpointSize(NodeEndpoint endpoint) => endpoint.IsIPv4 ? IPv4EndpointSize : IPv6EndpointSize;

    public static int ContactSize(NodeEndpoint endpoint) => NodePublicKey.Size + sizeof(ulong) + EndpointSize(endpoint);

    public static void WriteEndpoint(ref WireWriter writer, NodeEndpoint endpoint)
    {
        if (endpoint.IsIPv4)
        {
            writer.WriteByte(FamilyIPv4);
            writer.WriteUInt32(endpoint.IPv4Address);
        }
        else
        {
            writer.WriteByte(FamilyIPv6);
            endpoint.WriteAddress(writer.Reserve(16));
        }

        writer.WriteUInt16(endpoint.Port);
    }

    public static void WriteContact(ref WireWriter writer, NodePublicKey key, ulong powNonce, NodeEndpoint endpoint)
    {
        writer.WriteBytes(key.Span);
        writer.WriteUInt64(powNonce);
        WriteEndpoint(ref writer, endpoint);
    }

    public static DecodeError ReadEndpoint(ref WireReader reader, out NodeEndpoint endpoint)
    {
        endpoint = default;
        if (!reader.TryReadByte(out var family))
        {
            return DecodeError.Truncated;
        }

        ushort port;
        switch (family)
        {
            case FamilyIPv4:
                if (!reader.TryReadUInt32(out var v4) || !reader.TryReadUInt16(out port))
                {
                    return DecodeError.Truncated;
                }

                endpoint = NodeEndpoint.FromIPv4(v4, port);
                return DecodeError.None;

            case FamilyIPv6:
                if (!reader.TryReadBytes(16, out var v6) || !reader.TryReadUInt16(out port))
                {
                    return DecodeError.Truncated;
                }

                endpoint = NodeEndpoint.FromIPv6(v6, port);
                // An IPv4-mapped address would re-encode as family 4: refuse it so that every accepted
                // encoding is the only one.
                return endpoint.IsIPv4 ? DecodeError.NonCanonicalAddress : DecodeError.None;

            default:
                return DecodeError.InvalidAddressFamily;
        }
    }

    public static DecodeError ReadContact(ref WireReader reader, out WireContact contact)
    {
        contact = default;
        if (!reader.TryReadBytes(NodePublicKey.Size, out var key) || !reader.TryReadUInt64(out var nonce))
        {
            return DecodeError.Truncated;
        }

        var publicKey = new NodePublicKey(key);
        var error = ReadEndpoint(ref reader, out var endpoint);
        if (error == DecodeError.None)
        {
            contact = new WireContact(publicKey, nonce, endpoint);
        }

        return error;
    }
}
