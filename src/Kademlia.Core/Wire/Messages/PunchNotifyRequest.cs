namespace Kademlia.Wire;

/// <summary>
/// PUNCH_NOTIFY: sent by a rendezvous node, over its session with a client, to say that
/// <see cref="Requester"/> wants a direct path: the client sends to the requester's endpoint at once. The
/// endpoint is the one the rendezvous observed the PUNCH_REQUEST come from, never one the requester named.
/// Answered by <see cref="PunchAckResponse"/>.
/// </summary>
/// <param name="RequestId">Random.</param>
/// <param name="Requester">The requester's key and proof-of-work nonce, at its observed endpoint.</param>
public sealed record PunchNotifyRequest(ulong RequestId, WireContact Requester) : Message(RequestId)
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.PunchNotify;

    internal override void Sealed()
    {
    }
}
