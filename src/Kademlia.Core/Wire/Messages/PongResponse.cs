using Kademlia.Routing;

namespace Kademlia.Wire;

/// <summary>
/// PONG: the answer to <see cref="PingRequest"/>, telling the requester the endpoint its packet came
/// from. A node behind NAT learns its public endpoint this way (to put in its provider records); it
/// should believe it only when several peers agree.
/// </summary>
/// <param name="RequestId">The ID of the PING answered.</param>
/// <param name="ObservedEndpoint">The requester's endpoint as the responder saw it.</param>
public sealed record PongResponse(ulong RequestId, NodeEndpoint ObservedEndpoint) : Message(RequestId)
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.Pong;

    internal override void Sealed()
    {
    }
}
