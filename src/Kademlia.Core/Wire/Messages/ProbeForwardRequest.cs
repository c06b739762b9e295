namespace Kademlia.Wire;

/// <summary>
/// PROBE_FORWARD: sent by the node that received a PROBE to another node, asking it to dial the asker. The
/// asker's contact carries the endpoint the forwarder observed (never one the asker named), so a probe can
/// only ever reach the asker itself. Answered by <see cref="ProbeAckResponse"/>.
/// </summary>
/// <param name="RequestId">Random.</param>
/// <param name="Nonce">The PROBE's request ID, to be carried by the dial.</param>
/// <param name="Asker">The asker's key and proof-of-work nonce, at its observed endpoint.</param>
public sealed record ProbeForwardRequest(ulong RequestId, ulong Nonce, WireContact Asker) : Message(RequestId)
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.ProbeForward;

    internal override void Sealed()
    {
    }
}
