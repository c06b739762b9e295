using System.Net;
using Kademlia.Engine.Internal;
using Kademlia.Routing;
using Kademlia.Sessions;
using Kademlia.Wire;

namespace Kademlia.Engine;

/// <content>Sending: requests over a session, inside a first handshake message, or queued for one.</content>
public sealed partial class KademliaEngine
{
    /// <summary>Requests queued per peer while its handshake completes; more are failed at once.</summary>
    private const int MaxQueuedPerPeer = 32;

    /// <summary>Most peers with queued requests at once.</summary>
    private const int MaxPeersAwaitingSession = 1024;

    /// <summary>
    /// Pong and small errors: what a PING's first message must make room for under the 3x rule. Also an app
    /// message's, whose IK response is empty or an ERROR (its application answers later, on the session).
    /// </summary>
    private const int SmallAnswerSize = 64;

    /// <summary>
    /// First contacts per second to unverified nodes (learned from a third party, never answered us) in
    /// one destination /24 (/48). A lookup rarely meets more than two or three nodes of one prefix (the
    /// routing tables' diversity limits see to that); forged NODES answers pointing every contact at one
    /// victim network meet this budget instead of sending it an initiation per contact.
    /// </summary>
    private const double UnverifiedInitiationsPerSecondPerPrefix = 0.5;

    /// <summary>The burst of <see cref="UnverifiedInitiationsPerSecondPerPrefix"/>.</summary>
    private const double UnverifiedInitiationBurstPerPrefix = 4;

    private void SendRequest(DateTimeOffset now, EngineQuery? owner, RequestPurpose purpose, QueryStep step)
    {
        _lastNow = now;
        var type = step.RequestType;
        var requestId = step.RequestId;
        var written = step.Request is { } request
            ? MessageCodec.TryWrite(_plain, request, out var length)
            : MessageCodec.TryWritePing(_plain, requestId, out length);
        if (!written)
        {
            return;
        }

        MarkIfClient(_plain);

        // An APP_DATAGRAM is never answered: it is tracked only while it waits for a session, so that it
        // goes out when the session opens, or is counted as not sent when none does.
        var oneWay = type == MessageType.AppDatagram;
        _requests.Add(new PendingRequest(
            requestId,
            owner?.Id,
            step.Address is null ? step.Peer.Id : null,
            step.Address,
            type,
            IsApplication(type) ? RequestPurpose.Application : step.ExpectsAnswer ? purpose : RequestPurpose.FireAndForget,
            now,
            now + (step.Timeout ?? _options.Network.MaxRequestTimeout))
        {
            Key = step.Address is null ? new PeerKey(step.Peer.PublicKey.Span) : default,
        });
        _requestsSent++;
        if (IsApplication(type))
        {
            _apps.OnSent();
        }

        var plaintext = _plain.AsSpan(0, length);
        if (step.Address is not null)
        {
            // Known only by address (a bootstrap given as host:port): XX learns its key on the way.
            var xx = _sessions.InitiateXx(now, step.Address, plaintext, _sealed);
            EmitOrFail(now, xx, requestId);
            return;
        }

        _verification.RememberNonce(step.Peer);
        var key = new PeerKey(step.Peer.PublicKey.Span);
        if (_sessions.HasSession(key, now))
        {
            EmitOrFail(now, _sessions.SealTo(now, key, plaintext, _sealed), requestId);
            Sent(oneWay, requestId);
        }
        else if (_sessions.IsHandshaking(key))
        {
            Enqueue(now, key, requestId, plaintext, oneWay);
        }
        else if (!WithinInitiationBudget(now, owner, requestId, step.Peer))
        {
            _drops.Count(EngineDropReason.InitiationBudget);
            FailNow(now, requestId);
        }
        else if (length <= PacketFormat.MaxInitiationRequest)
        {
            // First contact: the request rides in handshake message 1, its answer in message 2.
            var expected = type is MessageType.Ping or MessageType.Probe or MessageType.ProbeForward or MessageType.ProbeDial
                or MessageType.AppRequest or MessageType.AppDatagram or MessageType.PunchRequest
                ? SmallAnswerSize
                : PacketFormat.MaxResponseAnswer;
            EmitOrFail(now, _sessions.InitiateIk(now, key, step.Peer.Endpoint.ToIPEndPoint(), plaintext, _sealed, expected), requestId);
            Sent(oneWay, requestId);
        }
        else
        {
            // Too large for message 1 (a PUT, a large app message): open the session with a PING and send it right after.
            Enqueue(now, key, requestId, plaintext, oneWay);
            var ping = new PingRequest(NewRequestId());
            _requests.Add(new PendingRequest(ping.RequestId, null, step.Peer.Id, null, MessageType.Ping, RequestPurpose.FireAndForget, now, now + _options.Network.MaxRequestTimeout));
            MessageCodec.TryWrite(_plain, ping, out var pingLength);
            MarkIfClient(_plain);
            EmitOrFail(now, _sessions.InitiateIk(now, key, step.Peer.Endpoint.ToIPEndPoint(), _plain.AsSpan(0, pingLength), _sealed, SmallAnswerSize), ping.RequestId);
        }
    }

    /// <summary>
    /// Whether a first contact with <paramref name="peer"/> may go out: always for a node of our table, at
    /// an address that proved itself, or a seed of a bootstrap (the operator's choice); otherwise one
    /// token of its prefix's budget.
    /// </summary>
    private bool WithinInitiationBudget(DateTimeOffset now, EngineQuery? owner, ulong requestId, NodeInfo peer)
    {
        if ((owner is BootstrapQuery bootstrap && bootstrap.IsSeedPing(requestId)) || Routing.Find(peer.Id) is not null || _addresses.IsProven(peer.Endpoint.ToIPEndPoint()))
        {
            return true;
        }

        return _initiationBudget.TryTake(peer.Endpoint.PrefixKey(_options.Network.ExemptLoopbackFromDiversityLimits), now);
    }

    /// <summary>Forgets a one-way request once it is out (or failed to go, counted where it failed): nothing will answer it.</summary>
    private void Sent(bool oneWay, ulong requestId)
    {
        if (oneWay)
        {
            _requests.Remove(requestId);
        }
    }

    private void Enqueue(DateTimeOffset now, PeerKey key, ulong requestId, ReadOnlySpan<byte> plaintext, bool oneWay)
    {
        if (!_awaitingSession.TryGetValue(key, out var queue))
        {
            if (_awaitingSession.Count >= MaxPeersAwaitingSession)
            {
                FailNow(now, requestId);
                return;
            }

            _awaitingSession[key] = queue = new Queue<(ulong, byte[], bool)>();
        }

        if (queue.Count >= MaxQueuedPerPeer)
        {
            FailNow(now, requestId);
            return;
        }

        queue.Enqueue((requestId, plaintext.ToArray(), oneWay));
    }

    /// <summary>Sends what waited for a session with <paramref name="key"/>, once it has one.</summary>
    /// <returns>True when at least one request was sent.</returns>
    private bool FlushAwaiting(DateTimeOffset now, PeerKey key)
    {
        if (key.IsEmpty || !_awaitingSession.TryGetValue(key, out var queue) || !_sessions.HasSession(key, now))
        {
            return false;
        }

        _awaitingSession.Remove(key);
        var sent = false;
        while (queue.TryDequeue(out var item))
        {
            if (_requests.Contains(item.RequestId))
            {
                EmitOrFail(now, _sessions.SealTo(now, key, item.Plaintext, _sealed), item.RequestId);
                Sent(item.OneWay, item.RequestId);
                sent = true;
            }
        }

        return sent;
    }

    /// <summary>Sets the CLIENT flag in an encoded request's type byte while this node runs as a client.</summary>
    private void MarkIfClient(Span<byte> request)
    {
        if (IsClient)
        {
            request[0] |= ClientFlag;
        }
    }

    /// <summary>An empty transport packet (34 bytes): confirms the session and keeps NAT mappings open.</summary>
    private void SendKeepalive(DateTimeOffset now, PeerKey key)
    {
        var keepalive = _sessions.SealTo(now, key, [], _sealed);
        if (keepalive.Status == SealStatus.Sealed && keepalive.EndPoint is not null)
        {
            _outbox.TryQueue(keepalive.EndPoint, _sealed.AsSpan(0, keepalive.Length));
        }
    }

    private void EmitOrFail(DateTimeOffset now, SealResult result, ulong requestId)
    {
        if (result.Status != SealStatus.Sealed || result.EndPoint is null)
        {
            _drops.RequestNotSent(result.Status);
            _requests.FailAt(requestId, now);
        }
        else if (!_outbox.TryQueue(result.EndPoint, _sealed.AsSpan(0, result.Length)))
        {
            _requests.FailAt(requestId, now);
        }
    }

    /// <summary>Makes a request fail at the next timeout pass, so callers never re-enter a query mid-step.</summary>
    private void FailNow(DateTimeOffset now, ulong requestId) => _requests.FailAt(requestId, now);

    /// <summary>Moves what the session layer sent on its own (retries, rekeys, deferred data) to the outbox.</summary>
    private void DrainSessions()
    {
        while (_sessions.TryPollTransmit(out var transmit))
        {
            _outbox.TryQueue(transmit.EndPoint, transmit.Packet);
        }
    }

    /// <summary>Sends an answer: inside handshake message 2 for an IK first request, else on the session.</summary>
    private void Answer(DateTimeOffset now, NodeInfo peer, PeerKey key, HandshakeToken? handshake, Message answer)
    {
        if (MessageCodec.TryWrite(_plain, answer, out var length))
        {
            SealAnswer(now, peer, key, handshake, _plain.AsSpan(0, length));
        }
    }

    /// <summary>Seals an encoded answer (empty: a handshake completed with no answer yet) and queues it.</summary>
    private void SealAnswer(DateTimeOffset now, NodeInfo peer, PeerKey key, HandshakeToken? handshake, ReadOnlySpan<byte> plaintext)
    {
        _lastNow = now;
        var sealedAnswer = handshake is { } token
            ? _sessions.Respond(now, token, plaintext, _sealed)
            : _sessions.SealTo(now, key, plaintext, _sealed);
        if (sealedAnswer.Status == SealStatus.Sealed)
        {
            _outbox.TryQueue(sealedAnswer.EndPoint ?? peer.Endpoint.ToIPEndPoint(), _sealed.AsSpan(0, sealedAnswer.Length));
        }
        else
        {
            _drops.AnswerNotSent(sealedAnswer.Status);
        }
    }
}
