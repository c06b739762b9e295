using System.Net;
using Kademlia.Identity;
using Kademlia.Routing;
using Kademlia.Wire;

namespace Kademlia.Engine.Internal;

/// <summary>One PING to a node known by its contact (IK) or only by its address (XX).</summary>
internal sealed class PingQuery : EngineQuery
{
    private readonly NodeInfo? _peer;
    private readonly EndPoint? _address;
    /// <summary>A ping is the one request with no other path to try: it is sent up to three times.</summary>
    private const int Attempts = 3;

    private int _sent;
    private bool _waiting;
    private bool _done;
    private NodeInfo? _answeredBy;
    private NodeEndpoint _observed;
    private DateTimeOffset _answeredAt;

    public PingQuery(QueryId id, DateTimeOffset now, IQueryContext context, NodeInfo peer)
        : base(id, now, context) => _peer = peer;

    public PingQuery(QueryId id, DateTimeOffset now, IQueryContext context, EndPoint address)
        : base(id, now, context) => _address = address;

    public override QueryStep Next(DateTimeOffset now)
    {
        if (_done)
        {
            return QueryStep.Done;
        }

        if (_waiting)
        {
            return QueryStep.Wait(null);
        }

        _sent++;
        _waiting = true;
        var ping = new PingRequest(Context.NewRequestId());
        return _peer is { } peer ? QueryStep.Send(peer, ping) : QueryStep.SendTo(_address!, ping);
    }

    public override void OnResponse(NodeInfo peer, Message response, DateTimeOffset now)
    {
        if (response is PongResponse pong)
        {
            _answeredBy = peer;
            _observed = pong.ObservedEndpoint;
            _answeredAt = now;
        }

        _done = true;
    }

    public override void OnFailure(NodeId peer, ulong requestId, DateTimeOffset now)
    {
        _waiting = false;
        _done = _sent >= Attempts;
    }

    public override QueryResult BuildResult(DateTimeOffset now) => new PingResult(_answeredBy, _answeredBy is null ? TimeSpan.Zero : _answeredAt - StartedAt, _observed)
    {
        Succeeded = _answeredBy is not null,
        MessagesSent = MessagesSent,
        Duration = now - StartedAt,
    };
}
