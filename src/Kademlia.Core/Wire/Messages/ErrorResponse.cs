namespace Kademlia.Wire;

/// <summary>
/// ERROR: the request with this ID was understood well enough to answer (its header decoded) but is
/// not served. Sent only inside an authenticated session, and at ten bytes it is about the size of
/// the smallest request, so it cannot amplify; input that fails before a session exists is dropped.
/// </summary>
public sealed record ErrorResponse : Message
{
    /// <summary>Builds an ERROR.</summary>
    /// <param name="requestId">The ID of the request answered.</param>
    /// <param name="code">Why the request is not served.</param>
    /// <exception cref="ArgumentOutOfRangeException">The code is not a defined <see cref="ErrorCode"/>.</exception>
    public ErrorResponse(ulong requestId, ErrorCode code)
        : base(requestId)
    {
        if (!Enum.IsDefined(code))
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "Unknown error code.");
        }

        Code = code;
    }

    /// <inheritdoc/>
    public override MessageType Type => MessageType.Error;

    /// <summary>Why the request is not served.</summary>
    public ErrorCode Code { get; }

    internal override void Sealed()
    {
    }
}
