using System.Net;
using Kademlia.Identity;
using Kademlia.Routing;
using Kademlia.Wire;

namespace Kademlia.Engine.Internal;

/// <summary>
/// One PING to a node known by its contact (IK) or only by its address (XX). The engine reuses a
/// finished one for the next ping (<see cref="Reuse"/>), so pinging allocates no query.
/// </summary>
internal sealed class PingQuery : EngineQuery
{
    private NodeInfo? _peer;
    private EndPoint? _address;
    /// <summary>A ping is the one request with no other path to try: it is sent up to three times.</summary>
    private const int Attempts = 3;

    private int _sent;
    private bool _waiting;
    private bool _done;
    private NodeInfo? _answeredBy;
    private NodeEndpoint _observed;
    private DateTimeOffset _answeredAt;

    /// <summary>Whether the outcome goes out as a <see cref="PingCompletion"/> rather than a <see cref="QueryFinished"/> event.</summary>
    public bool ReportsCompletion { get; set; }

    public PingQuery(QueryId id, DateTimeOffset now, IQueryContext context, NodeInfo peer)
        : base(id, now, context) => _peer = peer;

    public PingQuery(QueryId id, DateTimeOffset now, IQueryContext context, EndPoint address)
        : base(id, now, context) => _address = address;

    /// <summary>Makes this finished ping a new one to <paramref name="peer"/>.</summary>
    public void Reuse(QueryId id, DateTimeOffset now, NodeInfo peer)
    {
        Restart(id, now);
        _peer = peer;
        _address = null;
        _sent = 0;
        _waiting = false;
        _done = false;
        _answeredBy = null;
        _observed = default;
        _answeredAt = default;
        ReportsCompletion = false;
    }

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
        var requestId = Context.NewRequestId();
        return _peer is { } peer ? QueryStep.SendPing(peer, requestId) : QueryStep.SendPingTo(_address!, requestId);
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

    public override void OnPong(NodeInfo peer, ulong requestId, NodeEndpoint observed, DateTimeOffset now)
    {
        _answeredBy = peer;
        _observed = observed;
        _answeredAt = now;
        _done = true;
    }

    public override void OnFailure(NodeId peer, ulong requestId, DateTimeOffset now)
    {
        _waiting = false;
        _done = _sent >= Attempts;
    }

    public override QueryResult BuildResult(DateTimeOffset now) => Complete(now).ToResult();

    /// <summary>The outcome as a value: nothing allocated.</summary>
    public PingCompletion Complete(DateTimeOffset now) =>
        new(Id, _answeredBy, _answeredBy is null ? TimeSpan.Zero : _answeredAt - StartedAt, _observed, MessagesSent, now - StartedAt);
}
