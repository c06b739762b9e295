namespace Kademlia.Wire;

/// <summary>PING: is the node alive? Answered by <see cref="PongResponse"/>. Nine bytes: the header only.</summary>
/// <param name="RequestId">The random request ID.</param>
public sealed record PingRequest(ulong RequestId) : Message(RequestId)
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.Ping;

    internal override void Sealed()
    {
    }
}
