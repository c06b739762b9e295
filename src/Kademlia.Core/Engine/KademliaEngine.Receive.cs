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
        _lastNow = now;
        _packetsIn++;
        _bytesIn += datagram.Length;

        // Handshake initiations cost Diffie-Hellman operations: a source sending too many is dropped
        // before any of them. The node asks everyone for a cookie (address proof) while it is under load:
        // many initiations from all sources together, a crowded responder table, or one source over its limit.
        if (datagram.Length >= 2 && datagram[1] is (byte)PacketType.IkInitiation or (byte)PacketType.XxMessage1)
        {
            _load.OnInitiation(now);
            if (!_handshakeLimiter.TryTake(from, now))
            {
                _load.OnSourceOverLimit(now);
                _sessions.UnderLoad = true;
                _drops.Count(EngineDropReason.RateLimited);
                return;
            }

            UpdateLoad(now);
        }

        var result = _sessions.HandleDatagram(now, from, datagram, _received);
        if (result.Outcome != DatagramOutcome.Dropped)
        {
            if (result.Roamed && from is IPEndPoint roamedTo && !RelayPaths.IsRelayed(roamedTo) && !_addresses.IsProven(roamedTo) && !IsRebinding(result.RoamedFrom, roamedTo))
            {
                _addresses.OnRoamed(from, datagram.Length);
                ChallengePath(now, result.Peer, roamedTo);
            }
            else
            {
                _addresses.OnAccepted(from, (PacketType)datagram[1], datagram.Length);
            }

            OnHeard(now, result.Peer.Key, result.EndPoint ?? from);
        }

        switch (result.Outcome)
        {
            case DatagramOutcome.Dropped:
                _drops.Count(result.DropReason);
                if (result.DropReason == SessionDropReason.WrongNetwork)
                {
                    _lastWrongNetworkAt = now;
                }

                break;
            case DatagramOutcome.Reply:
                _outbox.TryQueue(result.EndPoint!, _received.AsSpan(0, result.Length));
                FlushAwaiting(now, result.Peer.Key);
                break;
            case DatagramOutcome.Handled:
                if (datagram[1] == (byte)PacketType.TransportData && result.EndPoint is IPEndPoint source)
                {
                    // A keepalive: an authenticated packet from a now proven address, as good as a request for the table.
                    ObserveProvenSender(now, result.Peer, source);
                }

                FlushAwaiting(now, result.Peer.Key);
                break;
            case DatagramOutcome.FirstRequest:
                HandleMessage(now, result, result.Handshake, datagram.Length);
                break;
            case DatagramOutcome.FirstAnswer:
                HandleMessage(now, result, null, datagram.Length);
                // WireGuard's rule: the initiator confirms a new session with its first transport packet,
                // and sends an empty one when it has nothing else to send. Here it also proves our
                // address to the responder, which may then add us to its table.
                if (!FlushAwaiting(now, result.Peer.Key))
                {
                    SendKeepalive(now, result.Peer.Key);
                }

                break;
            default:
                HandleMessage(now, result, null, datagram.Length);
                break;
        }

        DrainSessions();
    }

    private void ObserveProvenSender(DateTimeOffset now, PeerIdentity identity, IPEndPoint from)
    {
        if (!identity.Key.IsEmpty && _addresses.IsProven(from) && !RelayPaths.IsRelayed(from)
            && _verification.TryVerify(identity, NodeEndpoint.FromIPEndPoint(from), out var peer))
        {
            if (_verification.IsClient(identity.Key))
            {
                NoteClient(now, peer, from);
            }
            else
            {
                ObservePeer(now, peer);
            }
        }
    }

    /// <summary>
    /// Whether a roam only changed the port of an address the peer already proved: a NAT that gave the
    /// peer a new mapping (a rebinding, or a symmetric NAT's new port after an idle timeout). Answers sent
    /// there reach the peer's own address, so they are no reflection at a third party, and a challenge
    /// would cost the peer its next answers after every rebinding.
    /// </summary>
    private bool IsRebinding(EndPoint? before, IPEndPoint to) =>
        before is IPEndPoint previous && previous.Address.Equals(to.Address) && _addresses.IsProven(previous);

    /// <summary>Most path challenges awaiting their PONG; past it the oldest are forgotten (their paths stay unproven).</summary>
    private const int MaxPathChallenges = 1024;

    /// <summary>
    /// A peer roamed to <paramref name="to"/>: PING it there over the session. Only the holder of that
    /// address receives the PING, so its PONG proves the address (<see cref="AddressValidation.ProveByChallenge"/>);
    /// until then what we send there stays within 3× of what came from there.
    /// </summary>
    private void ChallengePath(DateTimeOffset now, PeerIdentity identity, IPEndPoint to)
    {
        if (!_verification.TryVerify(identity, NodeEndpoint.FromIPEndPoint(to), out var peer))
        {
            return;
        }

        if (_pathChallenges.Count >= MaxPathChallenges)
        {
            _pathChallenges.Clear();
        }

        var ping = new PingRequest(NewRequestId());
        _pathChallenges[ping.RequestId] = to;
        SendRequest(now, null, RequestPurpose.FireAndForget, QueryStep.Send(peer, ping));
    }

    private void HandleMessage(DateTimeOffset now, DatagramResult result, HandshakeToken? handshake, int datagramLength)
    {
        var from = (IPEndPoint)result.EndPoint!;
        if (!_verification.TryVerify(result.Peer, NodeEndpoint.FromIPEndPoint(from), out var peer))
        {
            _drops.Count(EngineDropReason.InvalidProofOfWork);
            if (handshake is { } token)
            {
                _sessions.Reject(token);
            }

            return;
        }

        var plaintext = _received.AsSpan(0, result.Length);
        if (plaintext.Length > 0 && (plaintext[0] & 0x80) == 0)
        {
            // The CLIENT flag rides in a request's type byte; the codec reads the type without it.
            _verification.SetClient(result.Peer.Key, (plaintext[0] & ClientFlag) != 0);
            plaintext[0] &= unchecked((byte)~ClientFlag);
        }

        if (plaintext.Length == 0 && handshake is null)
        {
            // An IK response with no answer: the app message it carried is answered later on the session,
            // or never (docs/PROTOCOL.md, "Application messages", rule 4). The exchange is authenticated.
            ObserveSender(now, peer, result.Peer.Key, from);
            return;
        }

        // PING and PONG, the commonest exchange (liveness, address votes, the runtime's PingAsync), are
        // read and answered without message records: the steady-state request path allocates nothing.
        if (MessageCodec.IsPing(plaintext, out var pingId))
        {
            ObserveSender(now, peer, result.Peer.Key, from);
            ServePing(now, peer, result.Peer.Key, handshake, from, pingId);
            FlushAwaiting(now, result.Peer.Key);
            return;
        }

        if (MessageCodec.IsPong(plaintext, out var pongId, out var observed))
        {
            ObserveSender(now, peer, result.Peer.Key, from);
            HandlePong(now, peer, from, pongId, observed);
            FlushAwaiting(now, result.Peer.Key);
            return;
        }

        var error = MessageCodec.TryRead(plaintext, out var message);
        if (error != DecodeError.None || message is null)
        {
            _drops.Count(EngineDropReason.MalformedMessage);
            if (MessageCodec.TryReadHeader(plaintext, out var type, out var requestId) == DecodeError.None && ((byte)type & 0x80) == 0)
            {
                // A request type we do not know is a newer peer's, not garbage: say so, so it stops asking.
                var code = error == DecodeError.UnknownMessageType ? ErrorCode.UnsupportedRequest : ErrorCode.MalformedRequest;
                Refuse(now, peer, result.Peer.Key, handshake, type, requestId, code);
            }
            else if (handshake is { } token)
            {
                _sessions.Reject(token);
            }

            return;
        }

        ObserveSender(now, peer, result.Peer.Key, from);
        var key = result.Peer.Key;
        if (message.IsRequest)
        {
            // RELAY frames are limited by their circuits (and carry a game's traffic): not per request.
            if (message is not RelayFrame && !_requestLimiter.TryTake(from, now))
            {
                _drops.Count(EngineDropReason.RateLimited);
                Refuse(now, peer, key, handshake, message.Type, message.RequestId, ErrorCode.RateLimited);
            }
            else if (message is RelayFrame frame)
            {
                HandleRelayFrame(now, peer, handshake, from, frame);
            }
            else if (message is ChannelMessage app)
            {
                _requestsServed++;
                ServeApp(now, peer, key, handshake, from, app);
            }
            else
            {
                _requestsServed++;
                RecordStored? stored = null;
                var answer = ServeReachability(now, peer, from, message)
                    ?? ServeRendezvous(now, peer, from, handshake, message)
                    ?? _serving.Serve(now, peer, message, AnswerRoom(from, handshake, datagramLength), out stored);
                if (stored is not null)
                {
                    _events.Enqueue(stored);
                }

                Answer(now, peer, key, handshake, answer);
            }
        }
        else
        {
            HandleResponse(now, peer, from, message);
        }

        FlushAwaiting(now, key);
    }

    /// <summary>
    /// An authenticated exchange with a node whose proof-of-work holds, from an address that proved it
    /// receives what we send: it may enter the table (and be handed records). Before the proof the source
    /// may be forged, and a table entry would make us push records to a victim.
    /// </summary>
    private void ObserveSender(DateTimeOffset now, NodeInfo peer, PeerKey key, IPEndPoint from)
    {
        if (RelayPaths.IsRelayed(from))
        {
            // Reached through a rendezvous: its made-up endpoint is nobody's contact.
            return;
        }

        if (_verification.IsClient(key))
        {
            // A node that became a client since it entered the table leaves it: nobody should route to it.
            if (Routing.Find(peer.Id) is { } former && Routing.Remove(peer.Id, now))
            {
                _events.Enqueue(new ContactEvicted(Snapshot(former)));
            }

            NoteClient(now, peer, from);
        }
        else if (_addresses.IsProven(from))
        {
            _rendezvousClients.Forget(peer.Id);
            ObservePeer(now, peer);
        }
    }

    /// <summary>
    /// The most plaintext an answer to <paramref name="from"/> may carry: a whole message on a session,
    /// or, inside handshake message 2, what the 3x budget of the unproven address leaves after the
    /// response's own overhead (an initiator that padded little gets a shorter answer, never silence).
    /// </summary>
    private int AnswerRoom(IPEndPoint from, HandshakeToken? handshake, int initiationLength)
    {
        if (handshake is null)
        {
            return WireLimits.MaxMessageSize;
        }

        var allowance = Math.Min(_addresses.Allowance(from), PacketFormat.AmplificationFactor * initiationLength);
        return allowance >= PacketFormat.ResponseOverhead + PacketFormat.MaxResponseAnswer
            ? PacketFormat.MaxResponseAnswer
            : Math.Max(0, allowance - PacketFormat.ResponseOverhead);
    }

    /// <summary>Serves a PING read without its record: a PONG naming the endpoint we see the asker at.</summary>
    private void ServePing(DateTimeOffset now, NodeInfo peer, PeerKey key, HandshakeToken? handshake, IPEndPoint from, ulong requestId)
    {
        if (!_requestLimiter.TryTake(from, now))
        {
            _drops.Count(EngineDropReason.RateLimited);
            Refuse(now, peer, key, handshake, MessageType.Ping, requestId, ErrorCode.RateLimited);
            return;
        }

        _requestsServed++;
        if (MessageCodec.TryWritePong(_plain, requestId, peer.Endpoint, out var length))
        {
            SealAnswer(now, peer, key, handshake, _plain.AsSpan(0, length));
        }
    }

    /// <summary>Handles a PONG read without its record.</summary>
    private void HandlePong(DateTimeOffset now, NodeInfo peer, IPEndPoint from, ulong requestId, NodeEndpoint observed)
    {
        if (!TryTakeAnswer(now, peer, from, requestId, MessageType.Pong, null, out var pending))
        {
            return;
        }

        if (!RelayPaths.IsRelayed(from))
        {
            OnObservedEndpoint(now, from, observed);
        }

        if (pending.Owner is { } owner && _queries.TryGetValue(owner, out var query))
        {
            ReportStep(query, peer.Id, pending.Type, now - pending.SentAt);
            query.OnPong(peer, requestId, observed, now);
            Drive(now, query);
        }
    }

    private void HandleResponse(DateTimeOffset now, NodeInfo peer, IPEndPoint from, Message response)
    {
        if (!TryTakeAnswer(now, peer, from, response.RequestId, response.Type, response as ErrorResponse, out var pending))
        {
            return;
        }

        switch (response)
        {
            case PongResponse pong when !RelayPaths.IsRelayed(from):
                OnObservedEndpoint(now, from, pong.ObservedEndpoint);
                break;
            case ProbeAckResponse ack when pending.Type == MessageType.Probe:
                OnProbeAnswered(now, pending.RequestId, ack.Status);
                break;
        }

        if (pending.Owner is { } owner && _queries.TryGetValue(owner, out var query))
        {
            ReportStep(query, peer.Id, pending.Type, now - pending.SentAt);
            query.OnResponse(peer, response, now);
            Drive(now, query);
        }
    }

    /// <summary>
    /// Matches an answer to the request it answers and takes the RTT sample. False when there is
    /// nothing more to do with it: unsolicited (dropped), an ERROR or an answer of the wrong kind (the
    /// request's query has been told).
    /// </summary>
    private bool TryTakeAnswer(DateTimeOffset now, NodeInfo peer, IPEndPoint from, ulong requestId, MessageType type, ErrorResponse? refusal, out PendingRequest pending)
    {
        if (!_requests.TryTakeAnswered(requestId, peer.Id, from, out pending))
        {
            _drops.Count(EngineDropReason.UnsolicitedResponse);
            return false;
        }

        if (_pathChallenges.Remove(requestId, out var challenged) && challenged.Equals(from))
        {
            _addresses.ProveByChallenge(from);
        }

        // An app request's round trip includes the peer application's own time: no RTT sample.
        if (pending.Purpose != RequestPurpose.Application && Routing.RecordSuccess(peer.Id, now - pending.SentAt, now))
        {
            _requests.EndLivenessCheck(peer.Id);
        }

        if (refusal is null && IsAnswerTo(pending.Type, type))
        {
            return true;
        }

        if (refusal is null)
        {
            // An answer of the wrong kind is a protocol violation; an ERROR is an honest refusal.
            _drops.Count(EngineDropReason.UnexpectedResponseType);
            ((IQueryContext)this).ReportInvalidAnswer(peer.Id, now);
        }

        if (pending.Owner is { } failed && _queries.TryGetValue(failed, out var failing))
        {
            ReportStep(failing, peer.Id, pending.Type, rtt: null);
            if (refusal is not null)
            {
                failing.OnError(peer.Id, pending.RequestId, refusal.Code, now);
            }
            else
            {
                failing.OnFailure(peer.Id, pending.RequestId, now);
            }

            Drive(now, failing);
        }

        return false;
    }

    private void ObservePeer(DateTimeOffset now, NodeInfo peer)
    {
        var update = Routing.Observe(peer, now);
        switch (update.Kind)
        {
            case RoutingUpdateKind.Added:
                _events.Enqueue(new ContactAdded(Snapshot(update.Contact!)));
                ReplicateTo(now, peer);
                break;
            case RoutingUpdateKind.Pending when update.PingCandidate is { } oldest && _requests.TryBeginLivenessCheck(oldest.Id):
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
        (MessageType.Probe or MessageType.ProbeForward or MessageType.ProbeDial, MessageType.ProbeAck) => true,
        (MessageType.AppRequest, MessageType.AppResponse) => true,
        (MessageType.PunchRequest or MessageType.PunchNotify, MessageType.PunchAck) => true,
        _ => false,
    };
}
