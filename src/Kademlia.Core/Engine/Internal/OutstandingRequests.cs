using System.Net;
using Kademlia.Identity;

namespace Kademlia.Engine.Internal;

/// <summary>
/// The requests in flight, by their 64-bit random ID, with a deadline queue: the next deadline is a peek
/// and the expired ones come out in deadline order, O(log n) each, with nothing copied per tick.
/// </summary>
/// <remarks>
/// The queue is lazy: a request answered or moved (<see cref="FailAt"/>) leaves its old queue entry
/// behind, recognised as stale because the request is gone or now has another deadline, and skipped
/// when it reaches the front.
/// </remarks>
internal sealed class OutstandingRequests
{
    private readonly Dictionary<ulong, PendingRequest> _byId = [];
    private readonly PriorityQueue<ulong, DateTimeOffset> _deadlines = new();
    private readonly HashSet<NodeId> _livenessChecks = [];

    /// <summary>Requests in flight.</summary>
    public int Count => _byId.Count;

    /// <summary>Tracks a request until it is answered, fails or passes its deadline.</summary>
    public void Add(PendingRequest request)
    {
        _byId[request.RequestId] = request;
        _deadlines.Enqueue(request.RequestId, request.Deadline);
    }

    /// <summary>
    /// Claims the one liveness check (a PING to the oldest contact of a full bucket) a contact may have in
    /// flight; false when one already is.
    /// </summary>
    public bool TryBeginLivenessCheck(NodeId contact) => _livenessChecks.Add(contact);

    /// <summary>Releases the liveness check of <paramref name="contact"/>: it answered something, or failed.</summary>
    public void EndLivenessCheck(NodeId contact) => _livenessChecks.Remove(contact);

    /// <summary>Whether a request with this ID is still in flight.</summary>
    public bool Contains(ulong requestId) => _byId.ContainsKey(requestId);

    /// <summary>
    /// Takes the request an answer from <paramref name="peer"/> at <paramref name="from"/> answers: the
    /// ID must match and so must the peer asked (or, for a peer known only by address, the address).
    /// </summary>
    public bool TryTakeAnswered(ulong requestId, NodeId peer, EndPoint from, out PendingRequest request)
    {
        if (!_byId.TryGetValue(requestId, out request)
            || (request.Peer is { } expected ? expected != peer : !from.Equals(request.Address)))
        {
            return false;
        }

        _byId.Remove(requestId);
        return true;
    }

    /// <summary>Forgets a request without failing it (an APP_DATAGRAM, once sent: nothing answers it).</summary>
    public void Remove(ulong requestId) => _byId.Remove(requestId);

    /// <summary>Moves a request's deadline to <paramref name="at"/> (a send that failed fails at the next timeout pass).</summary>
    public void FailAt(ulong requestId, DateTimeOffset at)
    {
        if (_byId.TryGetValue(requestId, out var request) && request.Deadline > at)
        {
            _byId[requestId] = request with { Deadline = at };
            _deadlines.Enqueue(requestId, at);
        }
    }

    /// <summary>The earliest deadline, or null when nothing is in flight.</summary>
    public DateTimeOffset? NextDeadline()
    {
        DropStale();
        return _deadlines.TryPeek(out _, out var deadline) ? deadline : null;
    }

    /// <summary>Takes the next request whose deadline is at or before <paramref name="now"/>, earliest first.</summary>
    public bool TryTakeExpired(DateTimeOffset now, out PendingRequest request)
    {
        DropStale();
        if (_deadlines.TryPeek(out var id, out var deadline) && deadline <= now)
        {
            _deadlines.Dequeue();
            request = _byId[id];
            _byId.Remove(id);
            return true;
        }

        request = default;
        return false;
    }

    private void DropStale()
    {
        while (_deadlines.TryPeek(out var id, out var deadline)
            && (!_byId.TryGetValue(id, out var request) || request.Deadline != deadline))
        {
            _deadlines.Dequeue();
        }
    }
}
