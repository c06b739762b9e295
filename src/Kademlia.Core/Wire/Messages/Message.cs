namespace Kademlia.Wire;

/// <summary>
/// One protocol message: the plaintext a session packet carries. Every message starts with its
/// <see cref="MessageType"/> and a 64-bit <see cref="RequestId"/>.
/// </summary>
/// <remarks>
/// <para>
/// The subclasses are the closed set of requests (<see cref="PingRequest"/>, <see cref="FindNodeRequest"/>,
/// <see cref="GetRequest"/>, <see cref="PutRequest"/>, <see cref="AddProviderRequest"/>,
/// <see cref="GetProvidersRequest"/>, the probes, <see cref="AppRequest"/>, <see cref="AppDatagram"/>) and answers
/// (<see cref="PongResponse"/>, <see cref="NodesResponse"/>, <see cref="ValueResponse"/>, <see cref="PutResultResponse"/>,
/// <see cref="ProvidersResponse"/>, <see cref="ProbeAckResponse"/>, <see cref="AppResponse"/>, <see cref="ErrorResponse"/>).
/// <see cref="MessageCodec"/> encodes and decodes them.
/// </para>
/// <para>
/// A requester draws each request ID at random and matches an answer by (peer, request ID), where the
/// peer is the authenticated session the answer came in on: a guessable ID or an unchecked sender would
/// let anyone inject answers. Constructors enforce every limit, so any message that exists encodes to
/// at most <see cref="WireLimits.MaxMessageSize"/> bytes.
/// </para>
/// </remarks>
public abstract record Message
{
    private protected Message(ulong requestId) => RequestId = requestId;

    /// <summary>Chosen at random by the requester; an answer repeats the ID of the request it answers.</summary>
    public ulong RequestId { get; }

    /// <summary>The first byte on the wire.</summary>
    public abstract MessageType Type { get; }

    /// <summary>True for requests, false for answers.</summary>
    public bool IsRequest => ((byte)Type & 0x80) == 0;

    /// <summary>
    /// Keeps the hierarchy closed: no other assembly can implement an internal abstract member, so the
    /// codec's switch over the subclasses is exhaustive.
    /// </summary>
    internal abstract void Sealed();
}
