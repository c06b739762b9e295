namespace Kademlia.Sessions;

/// <summary>Names an inbound IK handshake whose first request was delivered and whose answer is awaited.</summary>
/// <param name="Value">The local index the resulting session will have.</param>
internal readonly record struct HandshakeToken(uint Value);
