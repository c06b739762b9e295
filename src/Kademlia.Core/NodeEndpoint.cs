using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Kademlia;

/// <summary>
/// A UDP endpoint held inline: a 16-byte address (IPv4 as IPv4-mapped IPv6) and a port. Unlike
/// <see cref="IPEndPoint"/> it costs no heap objects, which keeps a routing-table contact small.
/// </summary>
public readonly struct NodeEndpoint : IEquatable<NodeEndpoint>
{
    private const ulong MappedPrefix = 0x0000_FFFF_0000_0000UL;

    private readonly ulong _high;
    private readonly ulong _low;

    private NodeEndpoint(ulong high, ulong low, ushort port)
    {
        _high = high;
        _low = low;
        Port = port;
    }

    /// <summary>Builds an endpoint from an address and a port. IPv4-mapped IPv6 addresses become IPv4.</summary>
    public NodeEndpoint(IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, ushort.MaxValue);
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            // ::ffff:a.b.c.d written in place: MapToIPv6 would allocate an address per call (once per datagram).
            bytes[..10].Clear();
            bytes[10] = 0xFF;
            bytes[11] = 0xFF;
            address.TryWriteBytes(bytes[12..], out _);
        }
        else
        {
            address.TryWriteBytes(bytes, out _);
        }

        _high = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _low = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        Port = (ushort)port;
    }

    /// <summary>Builds an endpoint from an <see cref="IPEndPoint"/>.</summary>
    public static NodeEndpoint FromIPEndPoint(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        return new NodeEndpoint(endPoint.Address, endPoint.Port);
    }

    /// <summary>An IPv4 endpoint from its four address bytes (big-endian) and port.</summary>
    public static NodeEndpoint FromIPv4(uint address, ushort port) => new(0, MappedPrefix | address, port);

    /// <summary>An IPv6 endpoint from its 16 address bytes and port.</summary>
    /// <exception cref="ArgumentException">The address is not 16 bytes.</exception>
    public static NodeEndpoint FromIPv6(ReadOnlySpan<byte> address, ushort port)
    {
        if (address.Length != 16)
        {
            throw new ArgumentException("An IPv6 address is 16 bytes.", nameof(address));
        }

        return new NodeEndpoint(BinaryPrimitives.ReadUInt64BigEndian(address), BinaryPrimitives.ReadUInt64BigEndian(address[8..]), port);
    }

    /// <summary>The UDP port.</summary>
    public ushort Port { get; }

    /// <summary>True for an IPv4 address (stored IPv4-mapped).</summary>
    public bool IsIPv4 => _high == 0 && (_low & 0xFFFF_FFFF_0000_0000UL) == MappedPrefix;

    /// <summary>The IPv4 address as a big-endian 32-bit number; meaningful only when <see cref="IsIPv4"/>.</summary>
    public uint IPv4Address => (uint)_low;

    /// <summary>True for 127.0.0.0/8 and ::1.</summary>
    public bool IsLoopback => IsIPv4 ? (IPv4Address >> 24) == 127 : _high == 0 && _low == 1;

    /// <summary>True for the unspecified address or port 0, which no node can be reached at.</summary>
    public bool IsUnspecified => Port == 0 || (IsIPv4 ? IPv4Address == 0 : (_high | _low) == 0);

    /// <summary>
    /// True for a unicast address that routes beyond its host and link: not unspecified, loopback,
    /// link-local (169.254.0.0/16, fe80::/10), multicast (224.0.0.0/4, ff00::/8), "this network"
    /// (0.0.0.0/8) or reserved and broadcast (240.0.0.0/4); and a port other than 0. Private ranges
    /// (10/8, 172.16/12, 192.168/16, fc00::/7) count as routable, since a network may run on a LAN.
    /// </summary>
    public bool IsRoutable
    {
        get
        {
            if (IsUnspecified || IsLoopback)
            {
                return false;
            }

            if (IsIPv4)
            {
                var first = IPv4Address >> 24;
                return first != 0 && first < 224 && (IPv4Address >> 16) != 0xA9FE;
            }

            var top = _high >> 48;
            return (top & 0xFF00) != 0xFF00 && (top & 0xFFC0) != 0xFE80;
        }
    }

    /// <summary>
    /// The subnet the IP-diversity limits count: the /24 of an IPv4 address or the /48 of an IPv6
    /// address, tagged with the family so the two never collide.
    /// </summary>
    public ulong SubnetKey => IsIPv4 ? (1UL << 63) | (IPv4Address >> 8) : _high >> 16;

    /// <summary>
    /// The host this endpoint belongs to, as rate limits and "did we send to it" count sources: the
    /// address with port 0, or on loopback, where every local node shares 127.0.0.1, the endpoint itself.
    /// </summary>
    public NodeEndpoint Host => IsLoopback ? this : new NodeEndpoint(_high, _low, 0);

    /// <summary>
    /// The prefix this endpoint speaks from, as quotas, votes and probes count sources: its
    /// <see cref="SubnetKey"/>, or, when <paramref name="loopbackPerEndpoint"/> (a test network, where every
    /// node of one machine shares 127.0.0.1), the loopback endpoint itself. Loopback keys carry bit 62 with
    /// bit 63 clear, so they never equal an IPv4 /24 (bit 63 set) or an IPv6 /48 (below 2^48).
    /// </summary>
    public ulong PrefixKey(bool loopbackPerEndpoint) =>
        IsLoopback && loopbackPerEndpoint
            ? (1UL << 62) | ((ulong)(IsIPv4 ? IPv4Address & 0xFF_FFFF : 0) << 16) | Port
            : SubnetKey;

    /// <summary>Writes the 16 address bytes (IPv4-mapped for IPv4).</summary>
    public void WriteAddress(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _high);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _low);
    }

    /// <summary>The address as an <see cref="IPAddress"/> (IPv4 for mapped addresses).</summary>
    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        WriteAddress(bytes);
        return IsIPv4 ? new IPAddress(bytes[12..]) : new IPAddress(bytes);
    }

    /// <summary>The endpoint as an <see cref="IPEndPoint"/>.</summary>
    public IPEndPoint ToIPEndPoint() => new(ToIPAddress(), Port);

    /// <summary>Whether <paramref name="other"/> has the same IP address, whatever its port (no allocation).</summary>
    internal bool HasSameAddress(NodeEndpoint other) => _high == other._high && _low == other._low;

    /// <inheritdoc/>
    public bool Equals(NodeEndpoint other) => _high == other._high && _low == other._low && Port == other.Port;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is NodeEndpoint other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_high, _low, Port);

    /// <summary><c>1.2.3.4:5</c> or <c>[::1]:5</c>.</summary>
    public override string ToString() => ToIPEndPoint().ToString();

    /// <summary>Equality of address and port.</summary>
    public static bool operator ==(NodeEndpoint left, NodeEndpoint right) => left.Equals(right);

    /// <summary>Inequality of address or port.</summary>
    public static bool operator !=(NodeEndpoint left, NodeEndpoint right) => !left.Equals(right);
}
