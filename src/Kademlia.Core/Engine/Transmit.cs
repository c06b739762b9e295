using System.Net;

namespace Kademlia.Engine;

/// <summary>A datagram the engine wants sent.</summary>
/// <param name="Destination">Where to send it.</param>
/// <param name="Packet">The bytes, owned by the receiver of this value.</param>
public readonly record struct Transmit(EndPoint Destination, byte[] Packet);
