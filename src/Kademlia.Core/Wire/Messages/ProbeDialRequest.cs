namespace Kademlia.Wire;

/// <summary>
/// PROBE_DIAL: the packet a reachability probe consists of, sent unsolicited (in an IK initiation) to the
/// asker's observed endpoint. Its arrival proves that packets from a stranger reach the asker. Answered by
/// <see cref="ProbeAckResponse"/> (<see cref="ProbeStatus.Received"/>).
/// </summary>
/// <param name="RequestId">Random.</param>
/// <param name="Nonce">The request ID of the PROBE that caused it.</param>
public sealed record ProbeDialRequest(ulong RequestId, ulong Nonce) : Message(RequestId)
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.ProbeDial;

    internal override void Sealed()
    {
    }
}
