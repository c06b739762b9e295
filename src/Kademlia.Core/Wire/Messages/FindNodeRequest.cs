using Kademlia.Identity;

namespace Kademlia.Wire;

/// <summary>FIND_NODE: which contacts do you know closest to <paramref name="Target"/>? Answered by <see cref="NodesResponse"/>.</summary>
/// <param name="RequestId">The random request ID.</param>
/// <param name="Target">The ID looked up.</param>
public sealed record FindNodeRequest(ulong RequestId, NodeId Target) : Message(RequestId)
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.FindNode;

    internal override void Sealed()
    {
    }
}
