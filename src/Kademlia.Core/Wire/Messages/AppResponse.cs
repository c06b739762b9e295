using Kademlia.Wire.Internal;

namespace Kademlia.Wire;

/// <summary>
/// APP_RESPONSE: the receiving application's answer to an <see cref="AppRequest"/>. It carries no channel:
/// the requester matches it by (peer, request ID) like every answer.
/// </summary>
public sealed record AppResponse : Message
{
    private readonly byte[] _payload;

    /// <summary>Builds an APP_RESPONSE with a copy of <paramref name="payload"/>.</summary>
    /// <param name="requestId">The ID of the APP_REQUEST answered.</param>
    /// <param name="payload">At most <see cref="WireLimits.MaxAppPayload"/> bytes.</param>
    /// <exception cref="ArgumentException">The payload is too large.</exception>
    public AppResponse(ulong requestId, ReadOnlySpan<byte> payload)
        : this(requestId, payload.ToArray())
    {
    }

    private AppResponse(ulong requestId, byte[] owned)
        : base(requestId)
    {
        MessageChecks.CheckAppPayload(owned.Length, "payload");
        _payload = owned;
    }

    /// <inheritdoc/>
    public override MessageType Type => MessageType.AppResponse;

    /// <summary>The application's bytes, at most <see cref="WireLimits.MaxAppPayload"/>.</summary>
    public ReadOnlyMemory<byte> Payload => _payload;

    /// <summary>Takes ownership of a payload the decoder has already bounded.</summary>
    internal static AppResponse FromOwned(ulong requestId, byte[] payload) => new(requestId, payload);

    /// <inheritdoc/>
    public bool Equals(AppResponse? other) =>
        other is not null && RequestId == other.RequestId && _payload.AsSpan().SequenceEqual(other._payload);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(RequestId, _payload.Length);

    internal override void Sealed()
    {
    }
}
