namespace Kademlia.Wire;

/// <summary>PROBE_ACK: the answer to PROBE, PROBE_FORWARD and PROBE_DIAL.</summary>
/// <param name="RequestId">The ID of the request answered.</param>
/// <param name="Status">What was done.</param>
public sealed record ProbeAckResponse(ulong RequestId, ProbeStatus Status) : Message(RequestId)
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.ProbeAck;

    internal override void Sealed()
    {
    }
}
