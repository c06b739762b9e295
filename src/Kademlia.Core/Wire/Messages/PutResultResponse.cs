namespace Kademlia.Wire;

/// <summary>PUT_RESULT: the answer to <see cref="PutRequest"/> and <see cref="AddProviderRequest"/>.</summary>
public sealed record PutResultResponse : Message
{
    /// <summary>Builds a PUT_RESULT.</summary>
    /// <param name="requestId">The ID of the request answered.</param>
    /// <param name="status">Stored, or why not.</param>
    /// <exception cref="ArgumentOutOfRangeException">The status is not a defined <see cref="PutStatus"/>.</exception>
    public PutResultResponse(ulong requestId, PutStatus status)
        : base(requestId)
    {
        if (!Enum.IsDefined(status))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown status.");
        }

        Status = status;
    }

    /// <inheritdoc/>
    public override MessageType Type => MessageType.PutResult;

    /// <summary>Stored, or why not.</summary>
    public PutStatus Status { get; }

    internal override void Sealed()
    {
    }
}
