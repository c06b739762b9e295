using System.Buffers.Binary;
using System.Net;
using Kademlia.Engine.Internal;
using Kademlia.Sessions.Internal;
using Kademlia.Sessions.Noise;

namespace Kademlia.Sessions;

/// <summary>
/// The sans-io session layer: WireGuard-style Noise handshakes, cookies and transport packets for many peers.
/// </summary>
/// <remarks>
/// <para>
/// Contract: no sockets, clocks or threads. Time arrives as <c>now</c>; randomness from the injected
/// <see cref="IRandomSource"/>. Hostile bytes never throw: every failure is a <see cref="SessionDropReason"/>.
/// Not thread-safe; the engine drives it from one loop.
/// </para>
/// <para>
/// Inputs: <see cref="HandleDatagram"/> for every received datagram, <see cref="HandleTimeout"/> when
/// <see cref="NextTimeout"/> passes. Outputs: the packet or plaintext written into the caller's buffer by each
/// call, plus packets the layer decides to send by itself (retries, rekeys, requests deferred by a
/// simultaneous initiation), drained with <see cref="TryPollTransmit"/> after every call.
/// </para>
/// <para>
/// Sending: <see cref="SealTo"/> when a session exists; otherwise <see cref="InitiateIk"/> (peer key known) or
/// <see cref="InitiateXx"/> (address only), both carrying the first request so first contact costs one round
/// trip (IK) or two (XX). An IK first request is delivered as <see cref="DatagramOutcome.FirstRequest"/> and
/// answered with <see cref="Respond"/>, whose answer rides in handshake message 2.
/// </para>
/// </remarks>
internal sealed partial class SessionManager : IDisposable
{
    private readonly SessionIdentity _identity;
    private readonly SessionOptions _options;
    private readonly IRandomSource _random;
    private readonly CookieChecker _cookies;
    private readonly byte[] _prologue = new byte[PacketFormat.PrologueSize];
    private readonly byte[] _ownMac1Key = new byte[32];
    private readonly Dictionary<PeerKey, PeerState> _peers = [];
    private readonly LinkedList<PeerState> _strangers = new(); // peers not yet verified, most recently used first
    private readonly LinkedList<PeerState> _verified = new(); // peers that proved their keys and address, most recently used first
    private readonly TokenBuckets<ulong> _newPeersPerPrefix;
    private readonly Dictionary<uint, TransportSession> _sessions = [];
    private readonly Dictionary<uint, PendingHandshake> _pending = [];
    private readonly LinkedList<PendingHandshake> _pendingByAge = new(); // oldest first
    private readonly Queue<SessionTransmit> _outbox = new();
    private int _responderPending; // of _pending, the handshakes answered for others

    /// <summary>No later than the earliest <see cref="SessionDue"/> of <see cref="_sessions"/> (see <see cref="NextTimeout"/>); null when there are none.</summary>
    private DateTimeOffset? _sessionsDue;
    private readonly RetiredTimestamps _retired;
    private Tai64N _lastTimestamp;

    /// <summary>Creates the layer for <paramref name="identity"/> (borrowed, not disposed).</summary>
    public SessionManager(SessionIdentity identity, SessionOptions options, IRandomSource? random = null)
    {
        _identity = identity;
        _options = options;
        _random = random ?? CryptoRandomSource.Instance;
        _cookies = new CookieChecker(_random, identity.StaticPublicKey);
        _retired = new RetiredTimestamps(4 * options.MaxPeers);
        _newPeersPerPrefix = new TokenBuckets<ulong>(options.NewPeersPerSecondPerPrefix, options.NewPeerBurstPerPrefix, options.MaxPeers);
        PacketFormat.WritePrologue(_prologue, options.NetworkId);
        Mac.DeriveKey("mac1", identity.StaticPublicKey, _ownMac1Key);
    }

    /// <summary>
    /// When true, handshake messages 1 without a valid mac2 are answered with a cookie reply instead of being
    /// processed. The engine sets it from its own measure of load (e.g. handshakes per second). Defaults to false.
    /// </summary>
    public bool UnderLoad { get; set; }

    /// <summary>This node's identity.</summary>
    public PeerKey LocalKey => _identity.Key;

    /// <summary>Number of peers in the table.</summary>
    public int PeerCount => _peers.Count;

    /// <summary>Number of peers in the table that proved their keys and address (a confirmed session).</summary>
    public int VerifiedPeerCount => _verified.Count;

    /// <summary>Whether <paramref name="peer"/> is in the table.</summary>
    public bool HasPeer(PeerKey peer) => _peers.ContainsKey(peer);

    /// <summary>Number of sessions (current, previous and unconfirmed) across all peers.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>Number of handshakes in progress.</summary>
    public int PendingHandshakeCount => _pending.Count;

    /// <summary>Number of handshakes in progress that others started (this node is the responder).</summary>
    public int ResponderPendingCount => _responderPending;

    /// <summary>How many responder handshakes may be in progress: the bound less the slots kept for our own initiations.</summary>
    public int ResponderPendingCapacity => Math.Max(1, _options.MaxPendingHandshakes - _options.ReservedInitiatorHandshakes);

    private int InitiatorPendingCapacity => Math.Max(1, Math.Min(_options.ReservedInitiatorHandshakes, _options.MaxPendingHandshakes));

    private static bool IsResponder(PendingKind kind) => kind is PendingKind.IkResponder or PendingKind.XxResponder;

    /// <summary>Whether <see cref="SealTo"/> would seal for <paramref name="peer"/> now.</summary>
    public bool HasSession(PeerKey peer, DateTimeOffset now) =>
        _peers.TryGetValue(peer, out var state) && SendableSession(state, now) is not null;

    /// <summary>Whether an initiation of ours to <paramref name="peer"/> awaits its response.</summary>
    public bool IsHandshaking(PeerKey peer) => _peers.TryGetValue(peer, out var state) && state.Pending is not null;

    /// <summary>
    /// Processes one received datagram. <paramref name="destination"/> (at least 1280 bytes) receives the
    /// plaintext or reply packet described by the result.
    /// </summary>
    public DatagramResult HandleDatagram(DateTimeOffset now, EndPoint from, ReadOnlySpan<byte> datagram, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(from);
        if (destination.Length < PacketFormat.MaxPacketSize)
        {
            throw new ArgumentException("The destination must hold a whole packet (1280 bytes).", nameof(destination));
        }

        if (!PacketFormat.TryReadHeader(datagram, _options.NetworkId, out var type, out var reason))
        {
            return DatagramResult.Drop(reason);
        }

        return type switch
        {
            PacketType.TransportData => HandleTransport(now, from, datagram, destination),
            PacketType.IkInitiation => HandleIkInitiation(now, from, datagram, destination),
            PacketType.IkResponse => HandleIkResponse(now, from, datagram, destination),
            PacketType.CookieReply => HandleCookieReply(now, datagram, destination),
            PacketType.XxMessage1 => HandleXxMessage1(now, from, datagram, destination),
            PacketType.XxMessage2 => HandleXxMessage2(now, from, datagram, destination),
            _ => HandleXxMessage3(now, from, datagram, destination),
        };
    }

    /// <summary>Takes the next packet the layer wants sent on its own initiative.</summary>
    public bool TryPollTransmit(out SessionTransmit transmit) => _outbox.TryDequeue(out transmit);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var pending in _pending.Values)
        {
            pending.Dispose();
        }

        foreach (var session in _sessions.Values)
        {
            session.Dispose();
        }

        _pending.Clear();
        _sessions.Clear();
        _sessionsDue = null;
        _cookies.Dispose();
    }

    /// <summary>A small-order key is counted apart from other handshake failures: it is an attack, not noise.</summary>
    private static SessionDropReason DropReasonOf(HandshakeError error) =>
        error == HandshakeError.LowOrderKey ? SessionDropReason.LowOrderKey : SessionDropReason.HandshakeFailed;

    private static uint ReadIndex(ReadOnlySpan<byte> packet, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(packet[offset..]);

    private static void WriteIndex(Span<byte> packet, int offset, uint index) => BinaryPrimitives.WriteUInt32LittleEndian(packet[offset..], index);

    private static TransportSession? SendableSession(PeerState peer, DateTimeOffset now)
    {
        if (peer.Current is { } current && current.CanSend(now))
        {
            return current;
        }

        return peer.Next is { } next && next.CanSend(now) ? next : null;
    }

    /// <summary>A random index unused by any session or handshake; zero is avoided so it never means "unset".</summary>
    private uint AllocateIndex()
    {
        Span<byte> bytes = stackalloc byte[4];
        while (true)
        {
            _random.Fill(bytes);
            uint index = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
            if (index != 0 && !_sessions.ContainsKey(index) && !_pending.ContainsKey(index))
            {
                return index;
            }
        }
    }

    /// <summary>
    /// Strictly increasing across all our initiations, so two initiations in the same instant (a rekey and a
    /// retry) are not taken for replays by the responder.
    /// </summary>
    private Tai64N NextTimestamp(DateTimeOffset now)
    {
        var timestamp = Tai64N.FromDateTimeOffset(now);
        _lastTimestamp = timestamp > _lastTimestamp ? timestamp : _lastTimestamp.Next();
        return _lastTimestamp;
    }

    /// <summary>
    /// Whether a peer entry may be created for a stranger's handshake from <paramref name="from"/>: its
    /// prefix has a new-entry token left (<see cref="SessionOptions.NewPeersPerSecondPerPrefix"/>) and the
    /// table has room or an entry a stranger may push out (see <see cref="FindVictim"/>).
    /// </summary>
    private bool TryAdmitStranger(EndPoint from, DateTimeOffset now, out SessionDropReason reason)
    {
        if (_peers.Count >= _options.MaxPeers && FindVictim(now, forStranger: true) is null)
        {
            reason = SessionDropReason.PeerTableFull;
            return false;
        }

        if (!_newPeersPerPrefix.TryTake(_options.PrefixOf(from), now))
        {
            reason = SessionDropReason.NewPeerRateLimited;
            return false;
        }

        reason = default;
        return true;
    }

    /// <summary>
    /// The peer <paramref name="key"/>, created if new. A full table gives up, in this order: the least
    /// recently used peer not yet verified; the least recently used verified peer idle for
    /// <see cref="SessionOptions.VerifiedIdleEviction"/>; and, only for a peer this node chose to contact
    /// (not for a <paramref name="stranger"/>), the least recently used verified peer. Null when a
    /// stranger finds nothing it may push out: a verified peer is never evicted for a stranger.
    /// </summary>
    private PeerState? GetOrCreatePeer(PeerKey key, ReadOnlySpan<byte> staticPublicKey, EndPoint endPoint, DateTimeOffset now, bool stranger)
    {
        if (!_peers.TryGetValue(key, out var peer))
        {
            while (_peers.Count >= _options.MaxPeers)
            {
                if (FindVictim(now, stranger) is not { } victim)
                {
                    return null;
                }

                EvictPeer(victim);
            }

            peer = new PeerState(key, staticPublicKey.ToArray(), endPoint);
            _peers.Add(key, peer);
            peer.LruNode = _strangers.AddFirst(peer);
        }

        Touch(peer, now);
        return peer;
    }

    private PeerState? FindVictim(DateTimeOffset now, bool forStranger)
    {
        if (_strangers.Last is { } idleStranger)
        {
            return idleStranger.Value;
        }

        if (_verified.Last is { } idleVerified && (!forStranger || now - idleVerified.Value.LastUsed >= _options.VerifiedIdleEviction))
        {
            return idleVerified.Value;
        }

        return null;
    }

    /// <summary>
    /// Records that <paramref name="peer"/> proved it holds its keys at its address (a confirmed session):
    /// from now on a stranger cannot push it out of the table.
    /// </summary>
    private void MarkVerified(PeerState peer)
    {
        if (peer.Verified || peer.LruNode is not { } node)
        {
            return;
        }

        peer.Verified = true;
        _strangers.Remove(node);
        _verified.AddFirst(node);
    }

    private void Touch(PeerState peer, DateTimeOffset now)
    {
        peer.LastUsed = now;
        var list = peer.Verified ? _verified : _strangers;
        if (peer.LruNode is { } node && list.First != node)
        {
            list.Remove(node);
            list.AddFirst(node);
        }
    }

    private void EvictPeer(PeerState peer)
    {
        _retired.Remember(peer.Key, peer.GreatestTimestamp);
        RemoveSession(peer.Current);
        RemoveSession(peer.Previous);
        RemoveSession(peer.Next);
        peer.Current = peer.Previous = peer.Next = null;
        if (peer.Pending is { } pending)
        {
            RemovePending(pending);
        }

        _peers.Remove(peer.Key);
        if (peer.LruNode is { } node)
        {
            (peer.Verified ? _verified : _strangers).Remove(node);
            peer.LruNode = null;
        }
    }

    private void RemoveSession(TransportSession? session)
    {
        if (session is not null && _sessions.Remove(session.LocalIndex))
        {
            session.Dispose();
        }
    }

    private void AddPending(PendingHandshake pending)
    {
        // Bounded per role: under a flood the oldest handshake of the same role is abandoned rather than the
        // table grown, so handshakes others start never push out the ones this node started (and back).
        bool responder = IsResponder(pending.Kind);
        int capacity = responder ? ResponderPendingCapacity : InitiatorPendingCapacity;
        while ((responder ? _responderPending : _pending.Count - _responderPending) >= capacity && OldestOfRole(responder) is { } oldest)
        {
            RemovePending(oldest);
        }

        _pending.Add(pending.LocalIndex, pending);
        pending.AgeNode = _pendingByAge.AddLast(pending);
        if (responder)
        {
            _responderPending++;
        }
    }

    private PendingHandshake? OldestOfRole(bool responder)
    {
        for (var node = _pendingByAge.First; node is not null; node = node.Next)
        {
            if (IsResponder(node.Value.Kind) == responder)
            {
                return node.Value;
            }
        }

        return null;
    }

    private void RemovePending(PendingHandshake pending)
    {
        if (!_pending.Remove(pending.LocalIndex))
        {
            return;
        }

        if (IsResponder(pending.Kind))
        {
            _responderPending--;
        }

        if (pending.AgeNode is { } node)
        {
            _pendingByAge.Remove(node);
            pending.AgeNode = null;
        }

        if (pending.Peer is { } peer && peer.Pending == pending)
        {
            peer.Pending = null;
        }

        pending.Dispose();
    }

    /// <summary>
    /// Makes a completed handshake's session usable. A responder's session waits in <see cref="PeerState.Next"/>
    /// while a working one exists, because until the initiator sends on it we cannot know it received message 2.
    /// </summary>
    private void InstallSession(PeerState peer, TransportSession session, bool confirmed, DateTimeOffset now)
    {
        _sessions.Add(session.LocalIndex, session);
        _sessionsDue = Deadlines.Earliest(_sessionsDue, SessionDue(session));
        if (confirmed)
        {
            MarkVerified(peer);
        }

        if (!confirmed && peer.Current is { } current && current.CanSend(now))
        {
            RemoveSession(peer.Next);
            peer.Next = session;
        }
        else
        {
            Promote(peer, session);
        }

        FlushDeferredRequest(peer, now);
    }

    private void Promote(PeerState peer, TransportSession session)
    {
        if (peer.Previous != session)
        {
            RemoveSession(peer.Previous);
        }

        peer.Previous = peer.Current == session ? peer.Previous : peer.Current;
        peer.Current = session;
        if (peer.Next is { } next && next != session)
        {
            RemoveSession(next);
        }

        peer.Next = null;
    }

    /// <summary>Sends the request of an initiation that lost a simultaneous-initiation tie-break over the new session.</summary>
    private void FlushDeferredRequest(PeerState peer, DateTimeOffset now)
    {
        if (peer.DeferredRequest is not { } request || SendableSession(peer, now) is not { } session)
        {
            return;
        }

        peer.DeferredRequest = null;
        var packet = new byte[PacketFormat.TransportOverhead + request.Length];
        SealInto(session, request, packet);
        _outbox.Enqueue(new SessionTransmit(peer.EndPoint, packet));
    }
}
