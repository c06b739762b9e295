using Kademlia.Identity;

namespace Kademlia.Wire;

/// <summary>GET_PROVIDERS: who provides <paramref name="Topic"/>? Answered by <see cref="ProvidersResponse"/>.</summary>
/// <param name="RequestId">The random request ID.</param>
/// <param name="Topic">The topic key.</param>
public sealed record GetProvidersRequest(ulong RequestId, NodeId Topic) : Message(RequestId)
{
    /// <inheritdoc/>
    public override MessageType Type => MessageType.GetProviders;

    internal override void Sealed()
    {
    }
}
