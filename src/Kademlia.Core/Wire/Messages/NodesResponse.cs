using System.Collections.Immutable;
using Kademlia.Wire.Internal;

namespace Kademlia.Wire;

/// <summary>
/// NODES: up to k contacts closer to the target, the answer to <see cref="FindNodeRequest"/>, and to
/// <see cref="GetRequest"/> when the node holds no acceptable record.
/// </summary>
public sealed record NodesResponse : Message
{
    /// <summary>Builds a NODES answer.</summary>
    /// <param name="requestId">The ID of the request answered.</param>
    /// <param name="contacts">At most <see cref="WireLimits.MaxContacts"/> contacts, closest first.</param>
    /// <exception cref="ArgumentException">There are more than <see cref="WireLimits.MaxContacts"/> contacts.</exception>
    public NodesResponse(ulong requestId, ImmutableArray<WireContact> contacts)
        : base(requestId)
    {
        Contacts = MessageChecks.CheckCount(contacts, WireLimits.MaxContacts, nameof(contacts));
    }

    /// <inheritdoc/>
    public override MessageType Type => MessageType.Nodes;

    /// <summary>The contacts, closest first; the receiver re-sorts anyway and checks each one's proof-of-work.</summary>
    public ImmutableArray<WireContact> Contacts { get; }

    /// <inheritdoc/>
    public bool Equals(NodesResponse? other) =>
        other is not null && RequestId == other.RequestId && MessageChecks.SequenceEqual(Contacts, other.Contacts);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(RequestId, Contacts.Length);

    internal override void Sealed()
    {
    }
}
