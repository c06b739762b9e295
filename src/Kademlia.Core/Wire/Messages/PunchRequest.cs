using Kademlia.Identity;

namespace Kademlia.Wire;

/// <summary>
/// PUNCH_REQUEST: asks a rendezvous node to tell <see cref="Target"/>, a client that keeps a session with
/// it, to send to the requester at the endpoint the rendezvous observes it at. The requester names only
/// the target, never an address. Answered by <see cref="PunchAckResponse"/>.
/// </summary>
/// <param name="RequestId">Random.</param>
/// <param name="Target">The node ID of the client to reach.</param>
public sealed record PunchRequest(ulong RequestId, NodeId Target) : Message(RequestId)
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.PunchRequest;

    internal override void Sealed()
    {
    }
}
