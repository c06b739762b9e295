namespace Kademlia.Mainline;

/// <summary>One datagram a <see cref="MainlineEngine"/> asks its owner to send.</summary>
/// <param name="To">The destination.</param>
/// <param name="Datagram">The bencoded KRPC message.</param>
public readonly record struct MainlineTransmit(NodeEndpoint To, byte[] Datagram);
