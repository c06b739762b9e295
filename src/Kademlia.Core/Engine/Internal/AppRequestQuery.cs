using Kademlia.Identity;
using Kademlia.Routing;
using Kademlia.Wire;

namespace Kademlia.Engine.Internal;

/// <summary>
/// One APP_REQUEST to one peer: up to <c>attempts</c> sends with the same request ID, each waiting
/// <c>timeout</c> for the peer's application to answer (docs/PROTOCOL.md, "Application messages").
/// </summary>
/// <remarks>
/// The same ID on every attempt lets a late answer to an earlier attempt count, and lets the receiver
/// drop a copy of a request its application is still working on. NO_SUCH_CHANNEL and the other refusals
/// end the request at once; RATE_LIMITED waits out the attempt before the next one; ANSWER_TOO_LARGE (the
/// answer did not fit the 3x budget of a first contact) is asked again at once on the session the
/// handshake opened, once, without counting as an attempt.
/// </remarks>
internal sealed class AppRequestQuery(QueryId id, DateTimeOffset now, IQueryContext context, NodeInfo peer, AppRequest request, TimeSpan timeout, int attempts)
    : EngineQuery(id, now, context)
{
    private int _sent;
    private bool _waiting;
    private bool _done;
    private bool _askedAgain;
    private DateTimeOffset _attemptStart;
    private DateTimeOffset? _retryAt;
    private ReadOnlyMemory<byte>? _answer;
    private ErrorCode? _refusal;
    private TimeSpan _rtt;

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

        if (_retryAt is { } at && now < at)
        {
            return QueryStep.Wait(at);
        }

        if (_sent >= attempts)
        {
            _done = true;
            return QueryStep.Done;
        }

        _retryAt = null;
        _sent++;
        _waiting = true;
        _attemptStart = now;
        return QueryStep.Send(peer, request, timeout: timeout);
    }

    public override void OnResponse(NodeInfo peer, Message response, DateTimeOffset now)
    {
        if (response is AppResponse answer)
        {
            _answer = answer.Payload;
            _refusal = null;
            _rtt = now - _attemptStart;
        }

        _done = true;
    }

    public override void OnError(NodeId peer, ulong requestId, ErrorCode code, DateTimeOffset now)
    {
        _waiting = false;
        _refusal = code;
        switch (code)
        {
            case ErrorCode.AnswerTooLarge when !_askedAgain:
                _askedAgain = true;
                _sent--;
                break;
            case ErrorCode.RateLimited:
                _retryAt = _attemptStart + timeout;
                _done = _sent >= attempts;
                break;
            default:
                _done = true;
                break;
        }
    }

    public override void OnFailure(NodeId peer, ulong requestId, DateTimeOffset now)
    {
        _waiting = false;
        _refusal = null;
        _done = _sent >= attempts;
    }

    public override QueryResult BuildResult(DateTimeOffset now) =>
        new AppRequestResult(peer, _answer ?? ReadOnlyMemory<byte>.Empty, _refusal, _rtt)
        {
            Succeeded = _answer is not null,
            MessagesSent = MessagesSent,
            Duration = now - StartedAt,
        };
}
