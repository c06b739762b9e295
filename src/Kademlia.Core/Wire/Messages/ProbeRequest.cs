namespace Kademlia.Wire;

/// <summary>
/// PROBE: "have a node I never contacted send a packet to the endpoint you see me at". The request ID is
/// the probe's nonce: the dial that results carries it back. Answered by <see cref="ProbeAckResponse"/>.
/// </summary>
/// <param name="RequestId">Random; also the nonce the dial will carry.</param>
public sealed record ProbeRequest(ulong RequestId) : Message(RequestId)
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.Probe;

    internal override void Sealed()
    {
    }
}
