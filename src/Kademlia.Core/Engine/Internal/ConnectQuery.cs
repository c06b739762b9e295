using System.Collections.Immutable;
using Kademlia.Identity;
using Kademlia.Routing;
using Kademlia.Wire;

namespace Kademlia.Engine.Internal;

/// <summary>
/// Opens a session with a peer, the best way there is: straight to a reachable peer; to a peer behind a
/// NAT, a hole punch coordinated by one of its rendezvous nodes, and when that fails a session relayed
/// through one (docs/PROTOCOL.md, "Rendezvous, hole punching and relays").
/// </summary>
/// <remarks>
/// The phases: <c>Direct</c> (no rendezvous: PING the peer, three tries); <c>Asking</c> (PUNCH_REQUEST to
/// each rendezvous in turn until one answers NOTIFIED); <c>Punching</c> (both sides send for
/// <see cref="HolePunches.Window"/>, the query checks the session every <see cref="CheckInterval"/>);
/// <c>Relaying</c> (PING through each rendezvous in turn, the notifying one first). It finishes as soon as
/// a direct session exists, whatever the phase, and as soon as a relayed one exists outside a punch. Asked
/// again for a peer it already has a relayed session with, it punches once more (an upgrade: the punch's
/// keepalives move the session when they get through); with <c>punchAgain</c>, it also punches over a
/// direct session (a NAT rebinding left it pointing at a mapping that is gone).
/// </remarks>
internal sealed class ConnectQuery : EngineQuery
{
    /// <summary>How often a punch in progress is checked for a session.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Past the punch window before relaying: the peer started its punch a little after us (the notify
    /// travelled further) and gives up its own initiation only when its window ends.
    /// </summary>
    public static readonly TimeSpan RelayMargin = TimeSpan.FromMilliseconds(500);

    private const int DirectAttempts = 3;

    private readonly IConnectContext _connect;
    private readonly NodeInfo _peer;
    private readonly List<NodeInfo> _rendezvous;
    private Phase _phase;
    private int _index;
    private int _attempts;
    private bool _waiting;
    private bool _askedAgain;
    private DateTimeOffset _punchUntil;
    private PeerPath _path;
    private NodeInfo? _used;
    private bool _punched;
    private bool _punchAgain;

    public ConnectQuery(QueryId id, DateTimeOffset now, IQueryContext context, IConnectContext connect, NodeInfo peer, ImmutableArray<WireContact> rendezvous, bool punchAgain)
        : base(id, now, context)
    {
        _punchAgain = punchAgain;
        _connect = connect;
        _peer = peer;
        _rendezvous = rendezvous.IsDefaultOrEmpty
            ? []
            : rendezvous.Select(c => c.ToNodeInfo()).Where(r => r.Id != context.Self && r.Id != peer.Id).ToList();
        _phase = _rendezvous.Count == 0 ? Phase.Direct : Phase.Asking;
    }

    private enum Phase
    {
        Direct,
        Asking,
        Punching,
        Relaying,
        Done,
    }

    public override QueryStep Next(DateTimeOffset now)
    {
        var path = _connect.PathTo(_peer, now);
        var punching = _phase is Phase.Asking or Phase.Punching;
        if (_phase != Phase.Done && path != PeerPath.None && !(_punchAgain && punching) && (path == PeerPath.Direct || !punching))
        {
            _path = path;
            _phase = Phase.Done;
        }

        if (_phase == Phase.Punching && now >= _punchUntil)
        {
            _connect.EndPunch(_peer);
            _punchAgain = false;
            _phase = Phase.Relaying;
            return Next(now);
        }

        if (_phase is Phase.Done)
        {
            return QueryStep.Done;
        }

        if (_phase == Phase.Punching)
        {
            var check = now + CheckInterval;
            return QueryStep.Wait(check < _punchUntil ? check : _punchUntil);
        }

        if (_waiting)
        {
            return QueryStep.Wait(null);
        }

        switch (_phase)
        {
            case Phase.Direct when _attempts < DirectAttempts:
                _attempts++;
                _waiting = true;
                return QueryStep.Send(_peer, new PingRequest(Context.NewRequestId()));
            case Phase.Asking when _index < _rendezvous.Count:
                _waiting = true;
                return QueryStep.Send(_rendezvous[_index], new PunchRequest(Context.NewRequestId(), _peer.Id));
            case Phase.Asking:
                _phase = Phase.Relaying;
                _punchAgain = false;
                _index = 0;
                return Next(now);
            case Phase.Relaying when _index < _rendezvous.Count:
                _waiting = true;
                _used = _rendezvous[_index];
                return QueryStep.Send(_connect.Relayed(_peer, _rendezvous[_index]), new PingRequest(Context.NewRequestId()));
            default:
                _used = null;
                _phase = Phase.Done;
                return QueryStep.Done;
        }
    }

    public override void OnResponse(NodeInfo peer, Message response, DateTimeOffset now)
    {
        _waiting = false;
        switch (_phase)
        {
            case Phase.Asking when response is PunchAckResponse { Status: PunchStatus.Notified, Target: { } target }
                && target.PublicKey == _peer.PublicKey && !target.Endpoint.IsUnspecified:
                // The rendezvous vouches for where it sees the peer; the key must be the one we asked for.
                _punched = true;
                _used = _rendezvous[_index];
                MoveFirst(_index);
                _index = 0;
                _connect.StartPunch(now, new NodeInfo(_peer.Id, _peer.PublicKey, _peer.PowNonce, target.Endpoint));
                _phase = Phase.Punching;
                _punchUntil = now + HolePunches.Window + RelayMargin;
                break;
            case Phase.Asking when response is PunchAckResponse { Status: PunchStatus.Unproven } && !_askedAgain:
                // Our first request rode in the handshake; the session now proves our address: ask again.
                _askedAgain = true;
                break;
            case Phase.Asking:
                _index++;
                _askedAgain = false;
                break;
            case Phase.Relaying when response is not PongResponse:
                _index++;
                break;
            case Phase.Direct when response is not PongResponse:
                _attempts = DirectAttempts;
                break;
        }
    }

    public override void OnFailure(NodeId peer, ulong requestId, DateTimeOffset now)
    {
        _waiting = false;
        if (_phase is Phase.Asking or Phase.Relaying)
        {
            _index++;
            _askedAgain = false;
        }
    }

    public override QueryResult BuildResult(DateTimeOffset now) => new ConnectResult(_peer, _path, _path == PeerPath.None ? null : _used, _punched)
    {
        Succeeded = _path != PeerPath.None,
        MessagesSent = MessagesSent,
        Duration = now - StartedAt,
    };

    /// <summary>The rendezvous that knows the peer is tried first for the relay.</summary>
    private void MoveFirst(int index)
    {
        var chosen = _rendezvous[index];
        _rendezvous.RemoveAt(index);
        _rendezvous.Insert(0, chosen);
    }
}
