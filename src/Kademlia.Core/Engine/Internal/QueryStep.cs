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
/// request timeout when null), wait, or finish.
/// </summary>
internal readonly record struct QueryStep(QueryStepKind Kind, NodeInfo Peer = default, Message? Request = null, EndPoint? Address = null, DateTimeOffset? WakeAt = null, bool ExpectsAnswer = true, TimeSpan? Timeout = null)
{
    public static QueryStep Done => new(QueryStepKind.Done);

    public static QueryStep Wait(DateTimeOffset? wakeAt) => new(QueryStepKind.Wait, WakeAt: wakeAt);

    public static QueryStep Send(NodeInfo peer, Message request, bool expectsAnswer = true, TimeSpan? timeout = null) =>
        new(QueryStepKind.Send, peer, request, ExpectsAnswer: expectsAnswer, Timeout: timeout);

    public static QueryStep SendTo(EndPoint address, Message request) => new(QueryStepKind.Send, Request: request, Address: address);
}
