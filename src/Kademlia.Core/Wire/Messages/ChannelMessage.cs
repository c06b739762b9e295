using Kademlia.Wire.Internal;

namespace Kademlia.Wire;

/// <summary>
/// An application's message addressed to a channel of the receiving node: <see cref="AppRequest"/> or
/// <see cref="AppDatagram"/>. The node only carries it; its meaning belongs to the application that
/// receives on <see cref="Channel"/>.
/// </summary>
public abstract record ChannelMessage : Message
{
    private readonly byte[] _payload;

    private protected ChannelMessage(ulong requestId, string channel, byte[] payload)
        : base(requestId)
    {
        AppChannel.Validate(channel, nameof(channel));
        MessageChecks.CheckAppPayload(payload.Length, nameof(payload));
        Channel = channel;
        _payload = payload;
    }

    /// <summary>The receiving application's channel name (see <see cref="AppChannel"/>).</summary>
    public string Channel { get; }

    /// <summary>The application's bytes, at most <see cref="WireLimits.MaxAppPayload"/>.</summary>
    public ReadOnlyMemory<byte> Payload => _payload;

    /// <inheritdoc/>
    public virtual bool Equals(ChannelMessage? other) =>
        other is not null && Type == other.Type && RequestId == other.RequestId && Channel == other.Channel
        && _payload.AsSpan().SequenceEqual(other._payload);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Type, RequestId, Channel, _payload.Length);
}

/// <summary>
/// APP_REQUEST: an application's request on <see cref="ChannelMessage.Channel"/>. Answered by
/// <see cref="AppResponse"/>, which the receiving application writes when it is ready, or by
/// <see cref="ErrorResponse"/> (<see cref="ErrorCode.NoSuchChannel"/> when nothing receives on the channel,
/// <see cref="ErrorCode.RateLimited"/>, <see cref="ErrorCode.AnswerTooLarge"/>).
/// </summary>
public sealed record AppRequest : ChannelMessage
{
    /// <summary>Builds an APP_REQUEST with a copy of <paramref name="payload"/>.</summary>
    /// <param name="requestId">The random request ID; an application's retries repeat it.</param>
    /// <param name="channel">The receiving application's channel name.</param>
    /// <param name="payload">At most <see cref="WireLimits.MaxAppPayload"/> bytes.</param>
    /// <exception cref="ArgumentException">The channel name is invalid or the payload too large.</exception>
    public AppRequest(ulong requestId, string channel, ReadOnlySpan<byte> payload)
        : base(requestId, channel, payload.ToArray())
    {
    }

    private AppRequest(ulong requestId, string channel, byte[] owned)
        : base(requestId, channel, owned)
    {
    }

    /// <inheritdoc/>
    public override MessageType Type => MessageType.AppRequest;

    /// <summary>Takes ownership of a payload the decoder has already bounded.</summary>
    internal static AppRequest FromOwned(ulong requestId, string channel, byte[] payload) => new(requestId, channel, payload);

    internal override void Sealed()
    {
    }
}

/// <summary>
/// APP_DATAGRAM: an application's one-way message on <see cref="ChannelMessage.Channel"/>, with UDP's
/// promise: it may be lost, and nothing answers it, not even an ERROR. The one request type that is
/// never answered.
/// </summary>
public sealed record AppDatagram : ChannelMessage
{
    /// <summary>Builds an APP_DATAGRAM with a copy of <paramref name="payload"/>.</summary>
    /// <param name="requestId">A random ID; the receiver uses it to drop duplicates.</param>
    /// <param name="channel">The receiving application's channel name.</param>
    /// <param name="payload">At most <see cref="WireLimits.MaxAppPayload"/> bytes.</param>
    /// <exception cref="ArgumentException">The channel name is invalid or the payload too large.</exception>
    public AppDatagram(ulong requestId, string channel, ReadOnlySpan<byte> payload)
        : base(requestId, channel, payload.ToArray())
    {
    }

    private AppDatagram(ulong requestId, string channel, byte[] owned)
        : base(requestId, channel, owned)
    {
    }

    /// <inheritdoc/>
    public override MessageType Type => MessageType.AppDatagram;

    /// <summary>Takes ownership of a payload the decoder has already bounded.</summary>
    internal static AppDatagram FromOwned(ulong requestId, string channel, byte[] payload) => new(requestId, channel, payload);

    internal override void Sealed()
    {
    }
}
