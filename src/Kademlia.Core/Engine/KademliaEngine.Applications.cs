using System.Net;
using Kademlia.Engine.Internal;
using Kademlia.Routing;
using Kademlia.Sessions;
using Kademlia.Wire;
using Kademlia.Wire.Internal;

namespace Kademlia.Engine;

/// <content>
/// Application messages over the node's sessions (docs/PROTOCOL.md, "Application messages"): channels,
/// datagrams, requests and the applications' answers. The receiving state lives in <see cref="AppMessaging"/>,
/// a request in flight in an <see cref="AppRequestQuery"/>; this part routes between them and the wire.
/// </content>
public sealed partial class KademliaEngine
{
    /// <summary>
    /// Receives on <paramref name="channel"/>: app messages sent to it are reported as
    /// <see cref="AppMessageReceived"/>. On a channel nobody receives on, requests are answered
    /// NO_SUCH_CHANNEL and datagrams dropped.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a valid channel name (<see cref="AppChannel"/>).</exception>
    public void OpenAppChannel(string channel)
    {
        AppChannel.Validate(channel, nameof(channel));
        _apps.Open(channel);
    }

    /// <summary>
    /// Stops receiving on <paramref name="channel"/>. Requests still waiting for an answer on it are
    /// forgotten: their requesters time out. False when nothing received on it.
    /// </summary>
    public bool CloseAppChannel(string channel) => _apps.Close(channel);

    /// <summary>
    /// Sends an APP_DATAGRAM to <paramref name="peer"/>'s <paramref name="channel"/>: over the session,
    /// inside a first handshake message, or once a handshake completes. Nothing answers it, and it may be
    /// lost, as a UDP datagram.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The channel name is invalid, the payload longer than <see cref="WireLimits.MaxAppPayload"/>, or the peer has no endpoint and no session.
    /// </exception>
    public void SendAppDatagram(DateTimeOffset now, NodeInfo peer, string channel, ReadOnlySpan<byte> payload)
    {
        CheckAppPeer(peer, now);
        var datagram = new AppDatagram(NewRequestId(), channel, payload);
        SendRequest(now, null, RequestPurpose.Application, QueryStep.Send(peer, datagram, expectsAnswer: false));
        OnAppSent(now, peer, expectsTraffic: true);
    }

    /// <summary>
    /// Sends an APP_REQUEST to <paramref name="peer"/>'s <paramref name="channel"/> and waits
    /// <paramref name="timeout"/> for its application's answer, sending it again (with the same request ID)
    /// up to <paramref name="retries"/> times. Finishes with an <see cref="AppRequestResult"/>.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The channel name is invalid, the payload longer than <see cref="WireLimits.MaxAppPayload"/>, or the peer has no endpoint and no session.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is not positive or the retries negative.</exception>
    public QueryId SendAppRequest(DateTimeOffset now, NodeInfo peer, string channel, ReadOnlySpan<byte> payload, TimeSpan timeout, int retries = 0)
    {
        CheckAppPeer(peer, now);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(retries);
        var request = new AppRequest(NewRequestId(), channel, payload);
        OnAppSent(now, peer, expectsTraffic: true);
        return Start(now, id => new AppRequestQuery(id, now, this, peer, request, timeout, 1 + retries));
    }

    /// <summary>
    /// Answers the APP_REQUEST <paramref name="requestId"/> that <paramref name="peer"/> sent (reported by an
    /// <see cref="AppMessageReceived"/>) with an APP_RESPONSE carrying <paramref name="payload"/>. While the
    /// requester's address is unproven and the answer would break its 3x budget, it is answered
    /// ANSWER_TOO_LARGE instead and will ask again on its session.
    /// </summary>
    /// <returns>False when no such request waits: never received, answered already, or older than a minute.</returns>
    /// <exception cref="ArgumentException">The payload is longer than <see cref="WireLimits.MaxAppPayload"/>.</exception>
    public bool ReplyApp(DateTimeOffset now, NodeInfo peer, ulong requestId, ReadOnlySpan<byte> payload)
    {
        MessageChecks.CheckAppPayload(payload.Length, nameof(payload));
        if (!_apps.TryTakeAwaiting(now, peer.Id, requestId, out var from))
        {
            return false;
        }

        var answer = new AppResponse(requestId, payload);
        var fits = _addresses.Allowance(from) >= WireLimits.TransportOverhead + MessageCodec.GetByteCount(answer);
        Answer(now, peer, new PeerKey(peer.PublicKey.Span), null, fits ? answer : new ErrorResponse(requestId, ErrorCode.AnswerTooLarge));
        OnAppSent(now, peer, expectsTraffic: false);
        return true;
    }

    /// <summary>
    /// Answers the APP_REQUEST <paramref name="requestId"/> of <paramref name="peer"/> RATE_LIMITED: the
    /// application cannot take it now (its queue is full); the requester may try again later.
    /// </summary>
    /// <returns>False when no such request waits.</returns>
    public bool RefuseApp(DateTimeOffset now, NodeInfo peer, ulong requestId)
    {
        if (!_apps.TryTakeAwaiting(now, peer.Id, requestId, out _))
        {
            return false;
        }

        Answer(now, peer, new PeerKey(peer.PublicKey.Span), null, new ErrorResponse(requestId, ErrorCode.RateLimited));
        return true;
    }

    private void CheckAppPeer(NodeInfo peer, DateTimeOffset now)
    {
        // A peer with no endpoint of its own (behind a NAT that maps per destination) is reachable over
        // the session a Connect opened, punched or relayed.
        if (peer.Endpoint.IsUnspecified && !_sessions.HasSession(new PeerKey(peer.PublicKey.Span), now))
        {
            throw new ArgumentException($"The peer {peer.Id.ToShortString()} has no endpoint to send to.", nameof(peer));
        }
    }

    /// <summary>An APP_REQUEST or APP_DATAGRAM from a verified peer: delivered to its channel, refused, or dropped.</summary>
    private void ServeApp(DateTimeOffset now, NodeInfo peer, PeerKey key, HandshakeToken? handshake, IPEndPoint from, ChannelMessage message)
    {
        var admission = _apps.Admit(now, peer.Id, from, message);
        switch (admission)
        {
            case AppAdmission.Deliver:
                _events.Enqueue(new AppMessageReceived(peer, message.Channel, message.Payload, message.RequestId, message is AppRequest));
                NoAnswerYet(now, peer, handshake);
                return;
            case AppAdmission.Duplicate:
                _drops.Count(EngineDropReason.AppDuplicate);
                NoAnswerYet(now, peer, handshake);
                return;
            case AppAdmission.NoSuchChannel:
                _drops.Count(EngineDropReason.NoSuchChannel);
                Refuse(now, peer, key, handshake, message.Type, message.RequestId, ErrorCode.NoSuchChannel);
                return;
            case AppAdmission.RateLimited:
                _drops.Count(EngineDropReason.AppRateLimited);
                Refuse(now, peer, key, handshake, message.Type, message.RequestId, ErrorCode.RateLimited);
                return;
            default:
                _drops.Count(EngineDropReason.AppBacklog);
                Refuse(now, peer, key, handshake, message.Type, message.RequestId, ErrorCode.RateLimited);
                return;
        }
    }

    /// <summary>Answers a request with ERROR <paramref name="code"/>, unless it is an APP_DATAGRAM: those are never answered.</summary>
    private void Refuse(DateTimeOffset now, NodeInfo peer, PeerKey key, HandshakeToken? handshake, MessageType type, ulong requestId, ErrorCode code)
    {
        if (type == MessageType.AppDatagram)
        {
            NoAnswerYet(now, peer, handshake);
        }
        else
        {
            Answer(now, peer, key, handshake, new ErrorResponse(requestId, code));
        }
    }

    /// <summary>
    /// A request with no answer now (an app message): when it came in an IK initiation, the handshake is
    /// completed with an empty response, so the session exists for the answer that follows, if any.
    /// </summary>
    private void NoAnswerYet(DateTimeOffset now, NodeInfo peer, HandshakeToken? handshake)
    {
        if (handshake is { } token)
        {
            SealAnswer(now, peer, default, token, []);
        }
    }

    private static bool IsApplication(MessageType type) => type is MessageType.AppRequest or MessageType.AppDatagram;
}
