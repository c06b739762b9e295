namespace Kademlia.Wire;

/// <summary>PUNCH_ACK: the answer to PUNCH_REQUEST and PUNCH_NOTIFY.</summary>
/// <param name="RequestId">The ID of the request answered.</param>
/// <param name="Status">What was done.</param>
/// <param name="Target">
/// To a PUNCH_REQUEST answered <see cref="PunchStatus.Notified"/>: the target's contact at the endpoint the
/// rendezvous observes it at, where the requester sends. Absent otherwise.
/// </param>
public sealed record PunchAckResponse(ulong RequestId, PunchStatus Status, WireContact? Target = null) : Message(RequestId)
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.PunchAck;

    internal override void Sealed()
    {
    }
}
