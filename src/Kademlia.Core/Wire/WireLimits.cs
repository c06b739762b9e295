using Kademlia.Identity;

namespace Kademlia.Wire;

/// <summary>The sizes and counts every message is bounded by.</summary>
public static class WireLimits
{
    /// <summary>Largest UDP datagram the protocol sends: 1280 bytes, the IPv6 minimum MTU, so no packet is ever fragmented.</summary>
    public const int MaxPacketSize = 1280;

    /// <summary>
    /// Bytes a session transport packet adds around a message: version 1, packet type 1, network ID 4,
    /// receiver index 4, counter 8, AEAD tag 16.
    /// </summary>
    public const int TransportOverhead = 34;

    /// <summary>Largest encoded message: 1280 − 34 = 1246 bytes, what one transport packet carries.</summary>
    public const int MaxMessageSize = MaxPacketSize - TransportOverhead;

    /// <summary>Bytes of the header every message starts with: type (1) and request ID (8).</summary>
    public const int HeaderSize = 1 + sizeof(ulong);

    /// <summary>
    /// Most contacts in one answer: k = 20. Twenty IPv6 contacts take 1 + 20 × 59 = 1181 bytes, which
    /// with the header makes a 1190-byte NODES answer.
    /// </summary>
    public const int MaxContacts = NetworkParameters.KValue;

    /// <summary>
    /// Most provider records in one PROVIDERS answer: 8, the most that can fit. The smallest provider
    /// record (IPv4, no application data) is 152 bytes, and (1246 − 9 − 2) / 152 = 8.
    /// </summary>
    public const int MaxProviders = 8;

    /// <summary>
    /// Largest application payload of an APP_REQUEST, APP_DATAGRAM or APP_RESPONSE: 1202 bytes, what is left
    /// of a message after the header (9), the longest channel name with its length byte (1 + 32) and the
    /// payload length (2). One limit whatever the channel, so that an application's limit does not depend
    /// on the name it picked.
    /// </summary>
    public const int MaxAppPayload = MaxMessageSize - HeaderSize - 1 - AppChannel.MaxLength - sizeof(ushort);

    /// <summary>
    /// Largest session packet a RELAY frame carries: 1246 − 9 − 32 − 2 = 1203 bytes, what is left of a message
    /// after the header, the peer's ID and the packet length. The relayed session's own packets must fit.
    /// </summary>
    public const int MaxRelayedPacket = MaxMessageSize - HeaderSize - Identity.NodeId.Size - sizeof(ushort);

    /// <summary>
    /// Largest application payload over a relayed session: 1125 bytes. The relayed session's transport packet
    /// (34 bytes around the message) must fit in <see cref="MaxRelayedPacket"/>, 77 bytes less than a message.
    /// </summary>
    public const int MaxRelayedAppPayload = MaxAppPayload - (MaxMessageSize - (MaxRelayedPacket - TransportOverhead));
}
