using Kademlia.Identity;
using Kademlia.Routing;

namespace Kademlia;

/// <summary>
/// An application message received on a channel (<see cref="DhtNode.ReceiveAsync"/>): a datagram, or a
/// request that waits for <see cref="ReplyAsync"/>.
/// </summary>
public sealed class AppMessage
{
    private readonly DhtNode _node;
    private readonly ulong _requestId;
    private int _replied;

    internal AppMessage(DhtNode node, NodeInfo sender, string channel, ReadOnlyMemory<byte> payload, ulong requestId, bool isRequest)
    {
        _node = node;
        _requestId = requestId;
        Sender = sender;
        Channel = channel;
        Payload = payload;
        IsRequest = isRequest;
    }

    /// <summary>
    /// The sender, verified: its Ed25519 key authenticated the encrypted session the message came in on, its
    /// ID is the SHA-256 of that key and meets the network's proof-of-work. <see cref="NodeInfo.Endpoint"/> is
    /// where the message came from. Pass it to <see cref="DhtNode.SendAsync"/> or <see cref="DhtNode.RequestAsync"/>
    /// to talk back.
    /// </summary>
    public NodeInfo Sender { get; }

    /// <summary>The sender's node ID (<see cref="Sender"/>'s).</summary>
    public NodeId SenderId => Sender.Id;

    /// <summary>The channel it was sent to.</summary>
    public string Channel { get; }

    /// <summary>The application's bytes (at most <see cref="DhtNode.MaxAppPayload"/>).</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>True for a request (sent with <see cref="DhtNode.RequestAsync"/>): its sender waits for <see cref="ReplyAsync"/>.</summary>
    public bool IsRequest { get; }

    /// <summary>
    /// Answers this request with <paramref name="payload"/>. The requester waits only as long as it chose,
    /// and the node takes an answer at most a minute after the request arrived.
    /// </summary>
    /// <returns>
    /// True when the answer was sent; false when the request no longer waits for one (it arrived more than
    /// a minute ago, or its channel was closed since).
    /// </returns>
    /// <exception cref="InvalidOperationException">This is a datagram, or the request was answered already.</exception>
    /// <exception cref="ArgumentException">The payload is longer than <see cref="DhtNode.MaxAppPayload"/> bytes.</exception>
    public ValueTask<bool> ReplyAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        if (!IsRequest)
        {
            throw new InvalidOperationException("A datagram has nobody waiting for an answer; only requests (IsRequest) are answered.");
        }

        DhtNode.CheckAppPayload(payload, nameof(payload));
        if (Interlocked.Exchange(ref _replied, 1) != 0)
        {
            throw new InvalidOperationException("This request was answered already.");
        }

        return _node.ReplyAsync(Sender, _requestId, payload.ToArray(), cancellationToken);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{(IsRequest ? "request" : "datagram")} on {Channel} from {Sender.Id.ToShortString()} ({Payload.Length} bytes)";
}
