using System.Net;
using Kademlia.Routing;
using Kademlia.Wire;

namespace Kademlia.Engine.Internal;

internal enum QueryStepKind
{
    /// <summary>Send <see cref="QueryStep.Request"/> to <see cref="QueryStep.Peer"/> (or to <see cref="QueryStep.Address"/> when the key is unknown).</summary>
    Send,

    /// <summary>Nothing to send until an answer arrives or <see cref="QueryStep.WakeAt"/>.</summary>
    Wait,

    /// <summary>The query is over.</summary>
    Done,
}

/// <summary>
/// One step of a query: send a request (waiting for its answer <c>Timeout</c>, the network's longest
/// request timeout when null), wait, or finish. A PING travels as its ID alone (<see cref="PingId"/>,
/// with no <see cref="Request"/>), so that pinging builds no message record.
/// </summary>
internal readonly record struct QueryStep(QueryStepKind Kind, NodeInfo Peer = default, Message? Request = null, EndPoint? Address = null, DateTimeOffset? WakeAt = null, bool ExpectsAnswer = true, TimeSpan? Timeout = null, ulong PingId = 0)
{
    /// <summary>The type of the request to send.</summary>
    public MessageType RequestType => Request?.Type ?? MessageType.Ping;

    /// <summary>The ID of the request to send.</summary>
    public ulong RequestId => Request?.RequestId ?? PingId;

    /// <summary>A PING with ID <paramref name="requestId"/> to <paramref name="peer"/>.</summary>
    public static QueryStep SendPing(NodeInfo peer, ulong requestId) => new(QueryStepKind.Send, peer, PingId: requestId);

    /// <summary>A PING with ID <paramref name="requestId"/> to a node known only by <paramref name="address"/>.</summary>
    public static QueryStep SendPingTo(EndPoint address, ulong requestId) => new(QueryStepKind.Send, Address: address, PingId: requestId);

    public static QueryStep Done => new(QueryStepKind.Done);

    public static QueryStep Wait(DateTimeOffset? wakeAt) => new(QueryStepKind.Wait, WakeAt: wakeAt);

    public static QueryStep Send(NodeInfo peer, Message request, bool expectsAnswer = true, TimeSpan? timeout = null) =>
        new(QueryStepKind.Send, peer, request, ExpectsAnswer: expectsAnswer, Timeout: timeout);

    public static QueryStep SendTo(EndPoint address, Message request) => new(QueryStepKind.Send, Request: request, Address: address);
}
