using Kademlia.Records;

namespace Kademlia.Wire;

/// <summary>
/// ADD_PROVIDER: remember <see cref="Record"/> for <see cref="TtlSeconds"/>. Answered by
/// <see cref="PutResultResponse"/>. As for PUT, no token is needed: the session proved the address.
/// </summary>
public sealed record AddProviderRequest : Message
{
    /// <summary>Builds an ADD_PROVIDER.</summary>
    /// <param name="requestId">The random request ID.</param>
    /// <param name="record">The signed provider record.</param>
    /// <param name="ttlSeconds">How long the requester wants it kept; the store may keep it for less.</param>
    public AddProviderRequest(ulong requestId, ProviderRecord record, uint ttlSeconds)
        : base(requestId)
    {
        ArgumentNullException.ThrowIfNull(record);
        Record = record;
        TtlSeconds = ttlSeconds;
    }

    /// <inheritdoc/>
    public override MessageType Type => MessageType.AddProvider;

    /// <summary>The signed provider record.</summary>
    public ProviderRecord Record { get; }

    /// <summary>How long the requester wants the record kept, in seconds.</summary>
    public uint TtlSeconds { get; }

    internal override void Sealed()
    {
    }
}
