using System.Net;
using Kademlia.Engine.Internal;
using Kademlia.Identity;
using Kademlia.Routing;
using Kademlia.Sessions;
using Kademlia.Wire;

namespace Kademlia.Engine;

/// <content>Receiving: the session layer first, then decoding, then requests or responses.</content>
public sealed partial class KademliaEngine
{
    /// <summary>Processes one datagram received from <paramref name="from"/>. Never throws on its content.</summary>
    public void HandleDatagram(DateTimeOffset now, EndPoint from, ReadOnlySpan<byte> datagram)
    {
        ArgumentNullException.ThrowIfNull(from);
        _packetsIn++;
        _bytesIn += datagram.Length;

        // Handshake initiations cost Diffie-Hellman operations: a source sending too many is dropped
        // before any of them, and the node asks everyone for a cookie (address proof) while it lasts.
        if (datagram.Length >= 2 && datagram[1] is (byte)PacketType.IkInitiation or (byte)PacketType.XxMessage1)
        {
            if (!_handshakeLimiter.TryTake(from, now))
            {
                _sessions.UnderLoad = true;
                CountDrop(EngineDropReason.RateLimited);
                return;
            }
        }

        var result = _sessions.HandleDatagram(now, from, datagram, _packet);
        switch (result.Outcome)
        {
            case DatagramOutcome.Dropped:
                CountDrop("session." + result.DropReason);
                break;
            case DatagramOutcome.Reply:
                Emit(result.EndPoint!, _packet.AsSpan(0, result.Length));
                FlushAwaiting(now, result.Peer.Key);
                break;
            case DatagramOutcome.Handled:
                FlushAwaiting(now, result.Peer.Key);
                break;
            case DatagramOutcome.FirstRequest:
                HandleMessage(now, result, result.Handshake);
                break;
            default:
                HandleMessage(now, result, null);
                break;
        }

        DrainSessions();
    }

    private void HandleMessage(DateTimeOffset now, DatagramResult result, HandshakeToken? handshake)
    {
        var from = (IPEndPoint)result.EndPoint!;
        if (!TryVerifiedPeer(result.Peer, NodeEndpoint.FromIPEndPoint(from), out var peer))
        {
            CountDrop(EngineDropReason.InvalidProofOfWork);
            if (handshake is { } token)
            {
                _sessions.Reject(token);
            }

            return;
        }

        var plaintext = _packet.AsSpan(0, result.Length);
        var error = MessageCodec.TryRead(plaintext, out var message);
        if (error != DecodeError.None || message is null)
        {
            CountDrop(EngineDropReason.MalformedMessage);
            if (MessageCodec.TryReadHeader(plaintext, out var type, out var requestId) == DecodeError.None && ((byte)type & 0x80) == 0)
            {
                // A request type we do not know is a newer peer's, not garbage: say so, so it stops asking.
                var code = error == DecodeError.UnknownMessageType ? ErrorCode.UnsupportedRequest : ErrorCode.MalformedRequest;
                Answer(now, peer, result.Peer.Key, handshake, new ErrorResponse(requestId, code));
            }
            else if (handshake is { } token)
            {
                _sessions.Reject(token);
            }

            return;
        }

        // An authenticated exchange with a node whose proof-of-work holds: it may enter the table.
        ObservePeer(now, peer);
        var key = result.Peer.Key;
        if (message.IsRequest)
        {
            if (!_requestLimiter.TryTake(from, now))
            {
                CountDrop(EngineDropReason.RateLimited);
                Answer(now, peer, key, handshake, new ErrorResponse(message.RequestId, ErrorCode.RateLimited));
            }
            else
            {
                _requestsServed++;
                Answer(now, peer, key, handshake, Serve(now, peer, message, handshake is null ? WireLimits.MaxMessageSize : PacketFormat.MaxResponseAnswer));
            }
        }
        else
        {
            HandleResponse(now, peer, from, message);
        }

        FlushAwaiting(now, key);
    }

    /// <summary>
    /// The sender as a contact whose proof-of-work holds. A peer verified once is remembered by its
    /// key (bounded like the session table), so the three hashes of ID and puzzles are not repeated
    /// for every packet of a session.
    /// </summary>
    private bool TryVerifiedPeer(PeerIdentity identity, NodeEndpoint endpoint, out NodeInfo peer)
    {
        var key = new NodePublicKey(identity.Key.Span);
        if (_verifiedPeers.TryGetValue(identity.Key, out var known)
            && (identity.ProofOfWorkNonce == known.Nonce || identity.ProofOfWorkNonce == 0))
        {
            peer = new NodeInfo(known.Id, key, known.Nonce, endpoint);
            return true;
        }

        peer = new NodeInfo(key, identity.ProofOfWorkNonce, endpoint);
        if (!peer.MeetsProofOfWork(_options.Network) && _knownNonces.TryGetValue(peer.Id, out var knownNonce))
        {
            // An IK responder (or a peer answering on a session we opened) does not repeat its nonce:
            // we learned it with the contact we used to reach it.
            peer = new NodeInfo(peer.Id, key, knownNonce, endpoint);
        }

        if (!peer.MeetsProofOfWork(_options.Network))
        {
            return false;
        }

        if (_verifiedPeers.Count >= 2 * _options.MaxSessions)
        {
            _verifiedPeers.Clear();
        }

        _verifiedPeers[identity.Key] = (peer.Id, peer.PowNonce);
        return true;
    }

    private void HandleResponse(DateTimeOffset now, NodeInfo peer, IPEndPoint from, Message response)
    {
        if (!_pending.TryGetValue(response.RequestId, out var pending)
            || (pending.Peer is { } expected ? expected != peer.Id : !pending.Address.Equals(from)))
        {
            CountDrop(EngineDropReason.UnsolicitedResponse);
            return;
        }

        _pending.Remove(response.RequestId);
        if (Routing.RecordSuccess(peer.Id, now - pending.SentAt, now))
        {
            _livenessChecks.Remove(peer.Id);
        }

        var isError = response is ErrorResponse;
        if (isError || !IsAnswerTo(pending.Type, response.Type))
        {
            if (!isError)
            {
                // An answer of the wrong kind is a protocol violation; an ERROR is an honest refusal.
                CountDrop(EngineDropReason.UnexpectedResponseType);
                ((IQueryContext)this).ReportInvalidAnswer(peer.Id, now);
            }

            if (pending.Owner is { } failed && _queries.TryGetValue(failed, out var failing))
            {
                failing.OnFailure(peer.Id, pending.RequestId, now);
                Drive(now, failing);
            }

            return;
        }

        if (pending.Owner is { } owner && _queries.TryGetValue(owner, out var query))
        {
            query.OnResponse(peer, response, now);
            Drive(now, query);
        }
    }

    private void ObservePeer(DateTimeOffset now, NodeInfo peer)
    {
        var update = Routing.Observe(peer, now);
        switch (update.Kind)
        {
            case RoutingUpdateKind.Added:
                _events.Enqueue(new ContactAdded(update.Contact!));
                ReplicateTo(now, peer);
                break;
            case RoutingUpdateKind.Pending when update.PingCandidate is { } oldest && _livenessChecks.Add(oldest.Id):
                // The bucket is full: ask its oldest contact whether it is still there. The answer (or
                // its absence) decides; nothing waits for it here.
                SendRequest(now, null, RequestPurpose.Liveness, QueryStep.Send(oldest.ToNodeInfo(), new PingRequest(NewRequestId())));
                break;
        }
    }

    private static bool IsAnswerTo(MessageType request, MessageType response) => (request, response) switch
    {
        (MessageType.Ping, MessageType.Pong) => true,
        (MessageType.FindNode, MessageType.Nodes) => true,
        (MessageType.Get, MessageType.Value or MessageType.Nodes) => true,
        (MessageType.Put or MessageType.AddProvider, MessageType.PutResult) => true,
        (MessageType.GetProviders, MessageType.Providers) => true,
        _ => false,
    };
}
