namespace Kademlia.Sessions;

/// <summary>Byte 1 of every datagram; see <see cref="PacketFormat"/> for the layouts.</summary>
internal enum PacketType : byte
{
    /// <summary>Noise IK message 1 carrying the first request.</summary>
    IkInitiation = 1,

    /// <summary>Noise IK message 2 carrying the answer.</summary>
    IkResponse = 2,

    /// <summary>A cookie the initiator must use as mac2 key because the responder is under load.</summary>
    CookieReply = 3,

    /// <summary>An encrypted payload within an established session.</summary>
    TransportData = 4,

    /// <summary>Noise XX message 1 (ephemeral only).</summary>
    XxMessage1 = 5,

    /// <summary>Noise XX message 2 (responder's identity).</summary>
    XxMessage2 = 6,

    /// <summary>Noise XX message 3 (initiator's identity and first request).</summary>
    XxMessage3 = 7,
}
