using System.Collections.Immutable;
using System.Net;
using Kademlia.Engine.Internal;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Routing;
using Kademlia.Sessions;
using Kademlia.Wire;

namespace Kademlia.Engine;

/// <content>
/// Player to player across NATs (docs/PROTOCOL.md, "Rendezvous, hole punching and relays"): a client's
/// rendezvous points, PUNCH_REQUEST and PUNCH_NOTIFY, hole punches, and sessions relayed in RELAY frames.
/// The state lives in <see cref="RendezvousClients"/> and <see cref="RelayCircuits"/> (as a rendezvous),
/// <see cref="HolePunches"/> and <see cref="RelayPaths"/> (as an end); this part routes between them.
/// </content>
public sealed partial class KademliaEngine : IConnectContext
{
    /// <summary>PUNCH_REQUESTs served to one source: one a second (burst 5).</summary>
    private const double PunchRequestsPerSecondPerSource = 1;

    /// <summary>PUNCH_NOTIFYs sent to one client: one a second (burst 3), whoever asks, so nobody can make a client punch non-stop.</summary>
    private const double PunchNotifiesPerSecondPerTarget = 1;

    /// <summary>Punches a client starts in all: two a second (burst 5); each sends at most ten ~200-byte packets.</summary>
    private const double PunchesPerSecond = 2;

    private readonly RendezvousClients _rendezvousClients;
    private readonly RelayCircuits _circuits;
    private readonly RelayPaths _relayPaths;
    private readonly HolePunches _punches = new();
    private readonly byte[] _relayPlain = new byte[WireLimits.MaxPacketSize];
    private readonly byte[] _relaySealed = new byte[WireLimits.MaxPacketSize];
    private readonly RateLimiter _punchRequestLimiter;
    private readonly TokenBuckets<NodeId> _punchTargetLimiter;
    private readonly TokenBuckets<int> _punchStartLimiter = new(PunchesPerSecond, 5, 1);
    private DateTimeOffset _lastNow;

    /// <summary>
    /// The rendezvous points a client names in its provider records: the first
    /// <see cref="EngineOptions.RendezvousPoints"/> of its keepalive contacts (the closest to its own ID) that
    /// it has a session with. Empty for a server, which is reached directly.
    /// </summary>
    public ImmutableArray<WireContact> RendezvousPoints(DateTimeOffset now)
    {
        if (!IsClient)
        {
            return [];
        }

        var points = ImmutableArray.CreateBuilder<WireContact>();
        var wanted = Math.Min(_options.RendezvousPoints, RecordLimits.MaxRendezvous);
        foreach (var contact in Routing.FindClosest(Self, _options.KeepalivePeers))
        {
            if (points.Count < wanted && _sessions.HasSession(new PeerKey(contact.PublicKey.Span), now))
            {
                points.Add(WireContact.FromNodeInfo(contact.ToNodeInfo()));
            }
        }

        return points.ToImmutable();
    }

    /// <summary>
    /// Opens a session with <paramref name="peer"/>: straight when it has no <paramref name="rendezvous"/>
    /// (it is reachable); else a hole punch coordinated by one of them, and a session relayed through one
    /// when the punch fails. Finishes with a <see cref="ConnectResult"/> saying which. Application messages
    /// then go over that session (<see cref="SendAppDatagram"/>, <see cref="SendAppRequest"/>), and a relayed
    /// session moves to a direct path by itself when a later punch (<see cref="Connect(DateTimeOffset, ProviderRecord, bool)"/>
    /// again) gets through.
    /// </summary>
    /// <param name="now">The time.</param>
    /// <param name="peer">The peer (its endpoint may be unspecified when it has rendezvous points).</param>
    /// <param name="rendezvous">The peer's rendezvous points, from its provider record; none for a reachable peer.</param>
    /// <param name="punchAgain">
    /// Punch even over a direct session: after a NAT rebinding (ours or the peer's) the session points at a
    /// mapping that is gone, and the rendezvous knows the new ones. Without it, a direct session is kept as is.
    /// </param>
    public QueryId Connect(DateTimeOffset now, NodeInfo peer, ImmutableArray<WireContact> rendezvous = default, bool punchAgain = false)
    {
        _lastNow = now;
        if (rendezvous.IsDefaultOrEmpty)
        {
            CheckAppPeer(peer, now);
        }

        return Start(now, id => new ConnectQuery(id, now, this, this, peer, rendezvous, punchAgain));
    }

    /// <summary>Opens a session with the provider of <paramref name="provider"/>, through its rendezvous points if it has any.</summary>
    public QueryId Connect(DateTimeOffset now, ProviderRecord provider, bool punchAgain = false)
    {
        ArgumentNullException.ThrowIfNull(provider);
        return Connect(now, provider.Provider, provider.Rendezvous, punchAgain);
    }

    /// <summary>How our session with <paramref name="peer"/> carries packets now: none, direct or relayed.</summary>
    public PeerPath PathTo(NodeInfo peer, DateTimeOffset now)
    {
        var key = new PeerKey(peer.PublicKey.Span);
        if (!_sessions.HasSession(key, now))
        {
            return PeerPath.None;
        }

        return RelayPaths.IsRelayed(_sessions.EndPointOf(key)) ? PeerPath.Relayed : PeerPath.Direct;
    }

    PeerPath IConnectContext.PathTo(NodeInfo peer, DateTimeOffset now) => PathTo(peer, now);

    void IConnectContext.StartPunch(DateTimeOffset now, NodeInfo peer) => StartPunch(now, peer);

    void IConnectContext.EndPunch(NodeInfo peer)
    {
        var key = new PeerKey(peer.PublicKey.Span);
        _punches.End(key, succeeded: false);
        if (!RelayPaths.IsRelayed(_sessions.EndPointOf(key)))
        {
            _sessions.AbandonInitiation(key);
        }
    }

    NodeInfo IConnectContext.Relayed(NodeInfo peer, NodeInfo relay) =>
        new(peer.Id, peer.PublicKey, peer.PowNonce, NodeEndpoint.FromIPEndPoint(_relayPaths.EndPointFor(relay, peer.Id)));

    private void StartPunch(DateTimeOffset now, NodeInfo peer)
    {
        _verification.RememberNonce(peer);
        var key = new PeerKey(peer.PublicKey.Span);
        if (_punches.Start(now, peer, yields: _sessionIdentity.Key < key, overSession: _sessions.HasSession(key, now)))
        {
            RunPunches(now);
        }
    }

    /// <summary>Sends what the punches in progress have due, and ends those that are over.</summary>
    private void RunPunches(DateTimeOffset now)
    {
        if (_punches.Count == 0)
        {
            return;
        }

        foreach (var punch in _punches.Due(now))
        {
            var key = punch.Key;
            var hasSession = _sessions.HasSession(key, now);
            var direct = hasSession && !RelayPaths.IsRelayed(_sessions.EndPointOf(key));
            if (direct && !punch.OverSession)
            {
                // Direct: at the punched endpoint, or (a NAT that maps per destination) at the one its packets came from.
                _punches.End(key, succeeded: true);
                continue;
            }

            if (now >= punch.Until)
            {
                _punches.End(key, succeeded: direct);
                if (!hasSession)
                {
                    _sessions.AbandonInitiation(key);
                }

                continue;
            }

            if (punch.NextSend > now || punch.Yielded)
            {
                continue;
            }

            punch.NextSend = now + HolePunches.Interval;
            if (hasSession)
            {
                // A relayed session: its keepalive at the observed endpoint moves the peer's side there.
                var keepalive = _sessions.SealTo(now, key, [], _sealed);
                if (keepalive.Status == SealStatus.Sealed)
                {
                    _outbox.TryQueue(punch.EndPoint, _sealed.AsSpan(0, keepalive.Length));
                }
            }
            else if (punch.Yields && now - punch.StartedAt >= HolePunches.YieldAfter)
            {
                _sessions.AbandonInitiation(key);
                punch.Yielded = true;
            }
            else if (punch.Sent == 0 && !_sessions.IsHandshaking(key))
            {
                SendRequest(now, null, RequestPurpose.FireAndForget, QueryStep.Send(punch.Peer, new PingRequest(NewRequestId()), timeout: HolePunches.Window));
            }
            else if (_sessions.RetryInitiationNow(now, key, punch.EndPoint, _sealed) is var length and > 0)
            {
                _outbox.TryQueue(punch.EndPoint, _sealed.AsSpan(0, length));
            }

            punch.Sent++;
        }
    }

    /// <summary>Serves PUNCH_REQUEST and PUNCH_NOTIFY; null for any other request.</summary>
    private Message? ServeRendezvous(DateTimeOffset now, NodeInfo peer, IPEndPoint from, HandshakeToken? handshake, Message request) => request switch
    {
        PunchRequest punch => ServePunchRequest(now, peer, from, handshake, punch),
        PunchNotifyRequest notify => ServePunchNotify(now, peer, from, notify),
        _ => null,
    };

    /// <summary>
    /// As a rendezvous: tell the client the requester names to punch towards the requester at the endpoint
    /// we observe it at, and tell the requester where we observe the client. Only from a proven address
    /// (never inside a first handshake message, whose source may be forged), so the client can only ever be
    /// sent towards the real requester.
    /// </summary>
    private PunchAckResponse ServePunchRequest(DateTimeOffset now, NodeInfo requester, IPEndPoint from, HandshakeToken? handshake, PunchRequest request)
    {
        if (handshake is not null || RelayPaths.IsRelayed(from) || !_addresses.IsProven(from))
        {
            return new PunchAckResponse(request.RequestId, PunchStatus.Unproven);
        }

        if (!_punchRequestLimiter.TryTake(from, now))
        {
            _drops.Count(EngineDropReason.PunchRateLimited);
            return new PunchAckResponse(request.RequestId, PunchStatus.RateLimited);
        }

        if (IsClient || request.Target == requester.Id
            || !_rendezvousClients.TryGet(request.Target, now, out var client, out var key) || !_sessions.HasSession(key, now))
        {
            return new PunchAckResponse(request.RequestId, PunchStatus.UnknownTarget);
        }

        if (!_punchTargetLimiter.TryTake(request.Target, now))
        {
            _drops.Count(EngineDropReason.PunchRateLimited);
            return new PunchAckResponse(request.RequestId, PunchStatus.RateLimited);
        }

        if (_sessions.EndPointOf(key) is IPEndPoint current)
        {
            client = new NodeInfo(client.Id, client.PublicKey, client.PowNonce, NodeEndpoint.FromIPEndPoint(current));
        }

        var observed = new NodeInfo(requester.Id, requester.PublicKey, requester.PowNonce, NodeEndpoint.FromIPEndPoint(from));
        SendRequest(now, null, RequestPurpose.FireAndForget, QueryStep.Send(client, new PunchNotifyRequest(NewRequestId(), WireContact.FromNodeInfo(observed))));
        return new PunchAckResponse(request.RequestId, PunchStatus.Notified, WireContact.FromNodeInfo(client));
    }

    /// <summary>As a client: punch towards a requester, when one of our rendezvous points asks, within limits.</summary>
    private PunchAckResponse ServePunchNotify(DateTimeOffset now, NodeInfo rendezvous, IPEndPoint from, PunchNotifyRequest notify)
    {
        var requester = notify.Requester.ToNodeInfo();
        if (RelayPaths.IsRelayed(from) || !IsOurRendezvous(rendezvous.Id)
            || requester.Endpoint.IsUnspecified || requester.Id == Self || !requester.MeetsProofOfWork(_options.Network))
        {
            _drops.Count(EngineDropReason.PunchRefused);
            return new PunchAckResponse(notify.RequestId, PunchStatus.UnknownTarget);
        }

        if (!_punchStartLimiter.TryTake(0, now))
        {
            _drops.Count(EngineDropReason.PunchRateLimited);
            return new PunchAckResponse(notify.RequestId, PunchStatus.RateLimited);
        }

        StartPunch(now, requester);
        return new PunchAckResponse(notify.RequestId, PunchStatus.Dialing);
    }

    /// <summary>Whether <paramref name="id"/> is one of the keepalive contacts we may name as rendezvous points.</summary>
    private bool IsOurRendezvous(NodeId id)
    {
        if (!IsClient)
        {
            return false;
        }

        foreach (var contact in Routing.FindClosest(Self, _options.KeepalivePeers))
        {
            if (contact.Id == id)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A RELAY frame from <paramref name="peer"/>. RELAY_DELIVER: we are an end, and the packet is handed to
    /// the session layer as coming from the made-up endpoint of (this rendezvous, its source). RELAY_SEND: we
    /// are the rendezvous, and pass it on within the circuit's limits. Never answered; only over a session
    /// from a proven address, never relayed itself.
    /// </summary>
    private void HandleRelayFrame(DateTimeOffset now, NodeInfo peer, HandshakeToken? handshake, IPEndPoint from, RelayFrame frame)
    {
        if (handshake is not null || RelayPaths.IsRelayed(from) || !_addresses.IsProven(from) || frame.Peer == Self || frame.Peer == peer.Id)
        {
            _drops.Count(EngineDropReason.RelayUndeliverable);
            NoAnswerYet(now, peer, handshake);
            return;
        }

        if (frame.IsDelivery)
        {
            HandleDatagram(now, _relayPaths.EndPointFor(peer, frame.Peer), frame.Packet.Span);
            return;
        }

        if (IsClient || _options.Relay.MaxCircuits == 0)
        {
            _drops.Count(EngineDropReason.RelayNoCircuit);
            return;
        }

        var toClient = _rendezvousClients.TryGet(frame.Peer, now, out var client, out var clientKey) && _sessions.HasSession(clientKey, now);
        switch (_circuits.Decide(now, peer, frame.Peer, toClient, frame.Packet.Length, out var opener))
        {
            case RelayDecision.Forward:
                var destination = opener.Id == frame.Peer ? opener : client;
                if (!SealFrame(now, new PeerKey(destination.PublicKey.Span), new RelayFrame(NewRequestId(), peer.Id, frame.Packet.Span, delivered: true), null))
                {
                    _drops.Count(EngineDropReason.RelayUndeliverable);
                }

                break;
            case RelayDecision.Limit:
                _drops.Count(EngineDropReason.RelayLimit);
                break;
            default:
                _drops.Count(EngineDropReason.RelayNoCircuit);
                break;
        }
    }

    /// <summary>
    /// A packet for a made-up relay endpoint, diverted by the outbox: it goes out as a RELAY_SEND to its
    /// rendezvous (or is dropped and counted when it cannot). Sealed with the time of the latest input.
    /// Its own scratch buffers: the packet may be in the send path's.
    /// </summary>
    private bool RelayOut(EndPoint destination, ReadOnlySpan<byte> packet)
    {
        if (_relayPaths.TryGet(destination, out var relay, out var peer) && packet.Length <= WireLimits.MaxRelayedPacket
            && SealFrame(_lastNow, new PeerKey(relay.PublicKey.Span), new RelayFrame(NewRequestId(), peer, packet, delivered: false), relay))
        {
            return true;
        }

        _drops.Count(EngineDropReason.RelayUndeliverable);
        return false;
    }

    /// <summary>Seals a RELAY frame on our session with <paramref name="key"/> and queues it; false when there is no session.</summary>
    private bool SealFrame(DateTimeOffset now, PeerKey key, RelayFrame frame, NodeInfo? to)
    {
        if (!MessageCodec.TryWrite(_relayPlain, frame, out var length))
        {
            return false;
        }

        MarkIfClient(_relayPlain);
        var sealedFrame = _sessions.SealTo(now, key, _relayPlain.AsSpan(0, length), _relaySealed);
        if (sealedFrame.Status != SealStatus.Sealed)
        {
            return false;
        }

        return _outbox.TryQueue(sealedFrame.EndPoint ?? to?.Endpoint.ToIPEndPoint()!, _relaySealed.AsSpan(0, sealedFrame.Length));
    }

    /// <summary>Keeps a client that talks to us from a proven address as one a PUNCH_REQUEST or RELAY may name.</summary>
    private void NoteClient(DateTimeOffset now, NodeInfo peer, IPEndPoint from)
    {
        if (!IsClient && !RelayPaths.IsRelayed(from) && _addresses.IsProven(from))
        {
            _rendezvousClients.Observe(peer, now);
        }
    }
}
