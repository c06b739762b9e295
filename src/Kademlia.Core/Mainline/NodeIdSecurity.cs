using System.IO.Hashing;
using System.Net;
using System.Net.Sockets;

namespace Kademlia.Mainline;

/// <summary>
/// BEP 42, "DHT Security extension": a node ID must begin with 21 bits derived from the node's external IP
/// address, so that placing 8 nodes next to a chosen info-hash takes as many IP addresses as the attacker
/// would need to control the whole key space near it.
/// </summary>
/// <remarks>
/// <para>
/// The prefix is <c>crc32c((ip &amp; 0x030f3fff) | (r &lt;&lt; 29))</c> over the 4 big-endian bytes of an IPv4
/// address, or <c>crc32c((ip &amp; 0x0103070f1f3f7fff) | (r &lt;&lt; 61))</c> over the first 8 bytes of an IPv6
/// address, with <c>r</c> in [0, 7]. The ID's first 21 bits are the CRC's first 21 bits; its last byte holds
/// <c>r</c> in its low 3 bits; everything else is random. CRC32C (Castagnoli) is the BEP's choice for its
/// uniform output, not for secrecy: the input space is small enough to invert any hash.
/// </para>
/// <para>
/// Nodes on local addresses (BEP 42 lists 10/8, 172.16/12, 192.168/16, 169.254/16, 127/8; this class also
/// exempts the IPv6 loopback, link-local and unique-local ranges) are exempt from the check.
/// </para>
/// </remarks>
public static class NodeIdSecurity
{
    private static readonly byte[] V4Mask = [0x03, 0x0f, 0x3f, 0xff];
    private static readonly byte[] V6Mask = [0x01, 0x03, 0x07, 0x0f, 0x1f, 0x3f, 0x7f, 0xff];

    /// <summary>
    /// The CRC32C of <paramref name="address"/> masked and combined with <paramref name="r"/> (its low 3 bits),
    /// whose first 21 bits a valid node ID starts with.
    /// </summary>
    public static uint ComputePrefix(IPAddress address, int r)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        var octets = MaskedOctets(address, bytes);
        var input = bytes[..octets];
        input[0] |= (byte)((r & 7) << 5);
        return Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, input);
    }

    /// <summary>
    /// A node ID valid for <paramref name="externalAddress"/>, its free bits taken from
    /// <paramref name="random"/> (20 bytes): the last byte supplies both <c>r</c> (its low 3 bits) and the
    /// ID's last byte, as in the BEP's example code, so equal bytes give equal IDs.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="random"/> is not 20 bytes.</exception>
    public static MainlineId Generate(IPAddress externalAddress, ReadOnlySpan<byte> random)
    {
        if (random.Length != MainlineId.Size)
        {
            throw new ArgumentException($"Generating an ID takes {MainlineId.Size} random bytes, not {random.Length}.", nameof(random));
        }

        var crc = ComputePrefix(externalAddress, random[19] & 7);
        Span<byte> id = stackalloc byte[MainlineId.Size];
        random.CopyTo(id);
        id[0] = (byte)(crc >> 24);
        id[1] = (byte)(crc >> 16);
        id[2] = (byte)(((crc >> 8) & 0xf8) | (uint)(random[2] & 0x07));
        return new MainlineId(id);
    }

    /// <summary>A random node ID valid for <paramref name="externalAddress"/>.</summary>
    public static MainlineId Generate(IPAddress externalAddress, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<byte> bytes = stackalloc byte[MainlineId.Size];
        random.NextBytes(bytes);
        return Generate(externalAddress, bytes);
    }

    /// <summary>Whether <paramref name="id"/>'s first 21 bits are the ones <paramref name="address"/> and the <c>r</c> in its last byte give.</summary>
    public static bool Matches(MainlineId id, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[MainlineId.Size];
        id.WriteTo(bytes);
        var crc = ComputePrefix(address, bytes[19] & 7);
        return bytes[0] == (byte)(crc >> 24)
            && bytes[1] == (byte)(crc >> 16)
            && (bytes[2] & 0xf8) == ((crc >> 8) & 0xf8);
    }

    /// <summary>Whether <paramref name="address"/> is local and so exempt from the check.</summary>
    public static bool IsExempt(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes, out _);
            return bytes[0] == 10
                || (bytes[0] == 172 && (bytes[1] & 0xf0) == 16)
                || (bytes[0] == 192 && bytes[1] == 168)
                || (bytes[0] == 169 && bytes[1] == 254)
                || bytes[0] == 127;
        }

        return IPAddress.IPv6Loopback.Equals(address) || address.IsIPv6LinkLocal || address.IsIPv6UniqueLocal;
    }

    /// <summary>Whether a node at <paramref name="address"/> may use <paramref name="id"/>: exempt, or a match.</summary>
    public static bool IsValid(MainlineId id, IPAddress address) => IsExempt(address) || Matches(id, address);

    private static int MaskedOctets(IPAddress address, Span<byte> bytes)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        address.TryWriteBytes(bytes, out _);
        var mask = address.AddressFamily == AddressFamily.InterNetwork ? V4Mask : V6Mask;
        for (var i = 0; i < mask.Length; i++)
        {
            bytes[i] &= mask[i];
        }

        return mask.Length;
    }
}
