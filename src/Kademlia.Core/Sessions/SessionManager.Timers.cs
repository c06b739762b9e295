using Kademlia.Sessions.Internal;

namespace Kademlia.Sessions;

/// <content>Time-driven work: handshake retries, abandoning stale handshakes, dropping dead sessions.</content>
internal sealed partial class SessionManager
{
    /// <summary>
    /// Retries unanswered initiations every <see cref="SessionTimers.RekeyTimeout"/> (a fresh ephemeral and
    /// timestamp each time, so a retry is never mistaken for a replay) until <see cref="SessionTimers.RekeyAttemptTime"/>,
    /// abandons responder handshakes older than the retry interval, and frees expired sessions. Retries go to
    /// <see cref="TryPollTransmit"/>.
    /// </summary>
    public void HandleTimeout(DateTimeOffset now)
    {
        if (_pendingByAge.Count > 0)
        {
            foreach (var pending in _pendingByAge.ToArray())
            {
                HandlePendingTimeout(now, pending);
            }
        }

        foreach (var session in _sessions.Values.Where(s => !s.CanReceive(now) || IsSilentXxSession(s, now)).ToArray())
        {
            var peer = session.Peer;
            if (session.UnconfirmedRequest is { } request && now - session.ExchangeStarted < SessionTimers.RekeyAttemptTime)
            {
                // XX message 3 (or everything after it) was lost: start over with the same request.
                var buffer = new byte[PacketFormat.MaxPacketSize];
                int length = StartXx(now, peer.EndPoint, request, session.ExchangeStarted, buffer);
                if (length > 0)
                {
                    _outbox.Enqueue(new SessionTransmit(peer.EndPoint, buffer[..length]));
                }
            }

            if (peer.Current == session)
            {
                peer.Current = null;
            }
            else if (peer.Previous == session)
            {
                peer.Previous = null;
            }
            else if (peer.Next == session)
            {
                peer.Next = null;
            }

            RemoveSession(session);
        }

        _sessionsDue = null;
        foreach (var session in _sessions.Values)
        {
            _sessionsDue = Deadlines.Earliest(_sessionsDue, SessionDue(session));
        }
    }

    /// <summary>When <see cref="HandleTimeout"/> next has work to do, or null when idle.</summary>
    public DateTimeOffset? NextTimeout()
    {
        DateTimeOffset? next = null;
        foreach (var pending in _pendingByAge)
        {
            var due = pending.Kind is PendingKind.IkInitiator or PendingKind.XxInitiator
                ? pending.LastSent + SessionTimers.RekeyTimeout
                : pending.Started + SessionTimers.RekeyTimeout;
            next = Deadlines.Earliest(next, due);
        }

        // The sessions' part is kept rather than scanned (this is asked after every datagram): never later
        // than the true one, since a session's due time only moves later (confirmed, or removed) once it is
        // installed; a wake-up it brings too early finds nothing, and the pass above makes it exact again.
        return Deadlines.Earliest(next, _sessionsDue);
    }

    /// <summary>When <see cref="HandleTimeout"/> has to look at <paramref name="session"/>: its expiry, or sooner while a request on it is unconfirmed.</summary>
    private static DateTimeOffset SessionDue(TransportSession session) =>
        session.Created + (session.UnconfirmedRequest is null ? SessionTimers.RejectAfterTime : SessionTimers.RekeyTimeout);

    private static bool IsSilentXxSession(TransportSession session, DateTimeOffset now) =>
        session.UnconfirmedRequest is not null && now - session.Created >= SessionTimers.RekeyTimeout;

    private void HandlePendingTimeout(DateTimeOffset now, PendingHandshake pending)
    {
        bool initiator = pending.Kind is PendingKind.IkInitiator or PendingKind.XxInitiator;
        if (!initiator)
        {
            if (now - pending.Started >= SessionTimers.RekeyTimeout)
            {
                RemovePending(pending);
            }

            return;
        }

        if (now - pending.LastSent < SessionTimers.RekeyTimeout)
        {
            return;
        }

        if (now - pending.Started >= SessionTimers.RekeyAttemptTime)
        {
            RemovePending(pending);
            return;
        }

        var buffer = new byte[PacketFormat.MaxPacketSize];
        int length;
        if (pending.Kind == PendingKind.IkInitiator && pending.Peer is { } peer)
        {
            // StartIk replaces (and disposes) the pending handshake it supersedes.
            length = StartIk(now, peer, pending.Request, pending.ExpectedAnswerSize, pending.Started, buffer);
        }
        else
        {
            var endPoint = pending.EndPoint;
            var request = pending.Request;
            var started = pending.Started;
            RemovePending(pending);
            length = StartXx(now, endPoint, request, started, buffer);
        }

        if (length > 0)
        {
            _outbox.Enqueue(new SessionTransmit(pending.EndPoint, buffer[..length]));
        }
    }
}
