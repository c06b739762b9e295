using System.Net;

namespace Kademlia.Sessions;

/// <summary>A packet the session layer wants sent on its own initiative (retry, rekey, deferred request).</summary>
/// <param name="EndPoint">Destination.</param>
/// <param name="Packet">The datagram.</param>
internal readonly record struct SessionTransmit(EndPoint EndPoint, byte[] Packet);
