using Kademlia.Identity;
using Kademlia.Routing;

namespace Kademlia.Lookup;

/// <summary>
/// The iterative node lookup of Kademlia as a pull state machine: the driver calls
/// <see cref="Next"/> for what to do, sends the queries it names, and reports answers through
/// <see cref="OnSuccess"/> and failures through <see cref="OnFailure"/>. No sockets, no clock: time is
/// an argument and a timeout is just <c>now &gt;= deadline</c>.
/// </summary>
/// <remarks>
/// <para>Implementation notes.</para>
/// <list type="bullet">
/// <item>Candidates stay sorted by XOR distance to the target and bounded to
/// <see cref="MaxCandidates"/>; the farthest not-yet-queried ones are dropped first. Nothing a peer
/// says is lost: every closer contact is merged, not just the first α.</item>
/// <item>Loose parallelism: up to α queries in flight, and a new query leaves as soon as any one
/// returns. A query past its deadline frees its slot (the lookup never waits for a whole round and
/// one slow peer never aborts it), yet its late answer is still merged.</item>
/// <item>Progress means "an answer brought a contact closer than the closest seen so far", not
/// "a node we had not seen". After α answers in a row without progress the lookup enters the paper's
/// final step: every one of the k closest not yet queried is queried at once.</item>
/// <item>It finishes when the k closest known candidates have all answered (failed ones are
/// skipped), or when nothing is left to query and nothing is in flight. k answers do not end it while
/// a closer candidate is still awaited, since its answer would change the result: one in flight is
/// waited for until its deadline, and one that timed out until twice its timeout. The result lists
/// only nodes that answered, never ones merely heard of.</item>
/// <item>Every address heard for an ID is kept (up to <see cref="MaxAddressesPerId"/>), the first heard queried
/// first: when the query fails or times out, the next address is tried before the ID is given up. A peer that
/// names honest IDs with dead addresses (table poisoning) then costs a timeout, not the node.</item>
/// <item>Distinct IDs are never at the same XOR distance from a target, so there are no ties for RTT
/// to break: the closest candidate is always queried first.</item>
/// </list>
/// </remarks>
public sealed class ClosestNodesLookup
{
    private readonly List<LookupCandidate> _candidates = [];
    private readonly Dictionary<NodeId, LookupCandidate> _byId = [];
    private readonly Func<NodeInfo, TimeSpan?> _timeoutFor;
    private readonly LookupOptions _options;
    private RttEstimator _rtt;
    private readonly NodeId _self;
    private readonly Dictionary<NodeId, (ClosestNodesLookup Path, LookupCandidate Candidate)>? _claims;
    private NodeId _closestSeen = NodeId.MaxValue;
    private int _answersWithoutProgress;
    private bool _finished;

    /// <summary>Starts a lookup of <paramref name="target"/> from <paramref name="seeds"/>.</summary>
    /// <param name="target">The ID or key looked up.</param>
    /// <param name="self">The originator, never queried nor returned.</param>
    /// <param name="seeds">Starting contacts, usually the k closest in our routing table.</param>
    /// <param name="options">k, α and the timeout bounds.</param>
    /// <param name="timeoutFor">
    /// The request timeout of a peer from what we measured of it (SRTT + 4·RTTVAR of its routing-table
    /// contact), or null when we never measured it: the lookup then uses its own estimate from the
    /// answers it has had, or the maximum before the first.
    /// </param>
    public ClosestNodesLookup(
        NodeId target,
        NodeId self,
        IEnumerable<NodeInfo> seeds,
        LookupOptions options,
        Func<NodeInfo, TimeSpan?>? timeoutFor = null)
        : this(target, self, seeds, options, timeoutFor, claims: null)
    {
    }

    /// <summary>One of several disjoint paths (<see cref="DisjointLookup"/>).</summary>
    /// <param name="target">The ID or key looked up.</param>
    /// <param name="self">The originator, never queried nor returned.</param>
    /// <param name="seeds">This path's share of the starting contacts.</param>
    /// <param name="options">k, α and the timeout bounds.</param>
    /// <param name="timeoutFor">A peer's own timeout estimate, or null when never measured.</param>
    /// <param name="claims">
    /// The IDs queried by some path, each with the path and its candidate, shared between the paths: a node is
    /// queried by one path only. A path that heard the node at an address the claiming path never heard waits for that
    /// path's query, and queries the node there itself if the claiming path gives it up (every address it heard
    /// failed), so a poisoner's dead address on one path does not hide the node from all; a path that heard nothing
    /// new moves on at once, as S/Kademlia's paths do.
    /// </param>
    internal ClosestNodesLookup(
        NodeId target,
        NodeId self,
        IEnumerable<NodeInfo> seeds,
        LookupOptions options,
        Func<NodeInfo, TimeSpan?>? timeoutFor,
        Dictionary<NodeId, (ClosestNodesLookup Path, LookupCandidate Candidate)>? claims)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.K, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Alpha, 1);
        Target = target;
        _self = self;
        _options = options;
        K = options.K;
        Alpha = options.Alpha;
        _timeoutFor = timeoutFor ?? (_ => null);
        _claims = claims;
        MaxCandidates = Math.Max(4 * K, 32);
        foreach (var seed in seeds)
        {
            Add(seed, null);
        }

        if (_candidates.Count > 0)
        {
            _closestSeen = _candidates[0].Node.Id;
        }
    }

    /// <summary>The ID or key looked up.</summary>
    public NodeId Target { get; }

    /// <summary>How many closest nodes the lookup finds.</summary>
    public int K { get; }

    /// <summary>Queries in flight while progress is being made.</summary>
    public int Alpha { get; }

    /// <summary>The most candidates kept; farther unqueried ones are dropped beyond it.</summary>
    public int MaxCandidates { get; }

    /// <summary>The most addresses tried for one ID (the first heard and the next ones, in the order heard).</summary>
    public const int MaxAddressesPerId = 16;

    /// <summary>True once the paper's final step began (all unqueried among the k closest at once).</summary>
    public bool IsInFinalStep => _answersWithoutProgress >= Alpha;

    /// <summary>True when <see cref="Next"/> has returned <see cref="LookupStepKind.Finished"/>.</summary>
    public bool IsFinished => _finished;

    /// <summary>Queries sent so far.</summary>
    public int QueriesSent { get; private set; }

    /// <summary>Answers received so far (late ones included).</summary>
    public int Answers { get; private set; }

    /// <summary>Queries that failed or timed out.</summary>
    public int Failures { get; private set; }

    /// <summary>The candidates, closest first.</summary>
    public IReadOnlyList<LookupCandidate> Candidates => _candidates;

    /// <summary>Queries in flight (not yet answered nor past their deadline).</summary>
    public int InFlight
    {
        get
        {
            var count = 0;
            foreach (var candidate in _candidates)
            {
                if (candidate.State == CandidateState.InFlight) count++;
            }

            return count;
        }
    }

    /// <summary>Up to k nodes that answered, closest first.</summary>
    public IReadOnlyList<LookupCandidate> Result
    {
        get
        {
            var result = new List<LookupCandidate>(K);
            foreach (var candidate in _candidates)
            {
                if (candidate.State == CandidateState.Succeeded)
                {
                    result.Add(candidate);
                    if (result.Count == K) break;
                }
            }

            return result;
        }
    }

    /// <summary>
    /// Hops of the lookup: the depth of the closest node that answered (1 when it was a starting
    /// contact), or 0 when none answered.
    /// </summary>
    public int Hops
    {
        get
        {
            foreach (var candidate in _candidates)
            {
                if (candidate.State == CandidateState.Succeeded) return candidate.Depth;
            }

            return 0;
        }
    }

    /// <summary>What to do next. Call it after every answer, failure or wake-up until it returns Finished.</summary>
    public LookupStep Next(DateTimeOffset now)
    {
        if (_finished)
        {
            return LookupStep.Finished;
        }

        var parallelism = IsInFinalStep ? K : Alpha;
        var inFlight = 0;
        DateTimeOffset? wakeAt = null;
        foreach (var candidate in _candidates)
        {
            if (candidate.State != CandidateState.InFlight) continue;
            if (now >= candidate.Deadline)
            {
                // Frees the slot; a late answer is still merged by OnSuccess.
                candidate.State = CandidateState.Unresponsive;
                Failures++;
                TryNextAddress(candidate);
                continue;
            }

            inFlight++;
            wakeAt = Deadlines.Earliest(wakeAt, candidate.Deadline);
        }

        var answered = 0;
        var pending = 0;
        var slowerCloser = false;
        var awaitedSibling = false;
        foreach (var candidate in _candidates)
        {
            if (candidate.State == CandidateState.Skipped && _claims is not null)
            {
                var claim = SiblingClaim(candidate, now);
                if (claim == Claim.Awaited)
                {
                    // The sibling's answer may still place the node among the k closest: await it as one of ours.
                    pending++;
                    awaitedSibling = true;
                    wakeAt = SiblingDeadline(candidate, wakeAt);
                    continue;
                }

                if (claim == Claim.GivenUp)
                {
                    candidate.State = CandidateState.NotContacted; // taken over below, at an address the sibling did not try
                }
            }

            switch (candidate.State)
            {
                case CandidateState.Succeeded:
                    if (++answered >= K)
                    {
                        // The k-th answer ends the path only when nothing closer is still awaited: a
                        // query in flight until its deadline, and one that ran late until its grace ends.
                        return pending > 0 || slowerCloser ? new LookupStep(LookupStepKind.Waiting, WakeAt: wakeAt) : Finish();
                    }

                    break;
                case CandidateState.InFlight:
                    pending++;
                    break;
                case CandidateState.Unresponsive when now < GraceEnd(candidate):
                    slowerCloser = true;
                    wakeAt = Deadlines.Earliest(wakeAt, GraceEnd(candidate));
                    break;
                case CandidateState.NotContacted:
                    // Queries in flight to closer nodes may still fill the k closest: wait for them
                    // rather than spend a message on a farther node.
                    if (inFlight >= parallelism || answered + pending >= K)
                    {
                        return new LookupStep(LookupStepKind.Waiting, WakeAt: wakeAt);
                    }

                    if (_claims is not null && !TryClaim(candidate, now))
                    {
                        if (SiblingClaim(candidate, now) == Claim.Awaited)
                        {
                            pending++;
                            awaitedSibling = true;
                            wakeAt = SiblingDeadline(candidate, wakeAt);
                        }

                        break;
                    }

                    candidate.State = CandidateState.InFlight;
                    candidate.Attempts++;
                    candidate.SentAt = now;
                    candidate.Deadline = now + TimeoutFor(candidate.Node);
                    QueriesSent++;
                    return new LookupStep(LookupStepKind.Send, candidate.Node);
            }
        }

        if (inFlight == 0 && (slowerCloser || awaitedSibling))
        {
            return new LookupStep(LookupStepKind.Waiting, WakeAt: wakeAt);
        }

        return inFlight == 0 ? Finish() : new LookupStep(LookupStepKind.Waiting, WakeAt: wakeAt);
    }

    /// <summary>
    /// <paramref name="peer"/> answered with <paramref name="closer"/> contacts (validated by the
    /// caller). Ignored for a peer the lookup never queried, so unsolicited answers cannot steer it.
    /// </summary>
    public void OnSuccess(NodeId peer, ReadOnlySpan<NodeInfo> closer, DateTimeOffset now)
    {
        if (_finished || !_byId.TryGetValue(peer, out var from)
            || from.State is not (CandidateState.InFlight or CandidateState.Unresponsive))
        {
            return;
        }

        from.State = CandidateState.Succeeded;
        from.AnsweredAt = now;
        Answers++;
        _rtt.Add(now - from.SentAt);
        var progress = false;
        foreach (var node in closer)
        {
            if (Add(node, from) is { } added && Target.CompareDistance(added.Node.Id, _closestSeen) < 0)
            {
                _closestSeen = added.Node.Id;
                progress = true;
            }
        }

        _answersWithoutProgress = progress ? 0 : _answersWithoutProgress + 1;
    }

    /// <summary><paramref name="peer"/> failed: an error, an invalid answer or no session.</summary>
    public void OnFailure(NodeId peer)
    {
        if (_finished || !_byId.TryGetValue(peer, out var candidate))
        {
            return;
        }

        if (candidate.State == CandidateState.InFlight)
        {
            Failures++;
        }

        if (candidate.State is CandidateState.InFlight or CandidateState.Unresponsive)
        {
            candidate.State = CandidateState.Failed;
            TryNextAddress(candidate);
        }
    }

    /// <summary>
    /// After a failure or a timeout at the candidate's address: the next address heard for its ID, if any, to be
    /// queried as a fresh candidate (a late answer from the first address is still taken, by ID).
    /// </summary>
    private static void TryNextAddress(LookupCandidate candidate)
    {
        if (candidate.Addresses is { } addresses && candidate.AddressIndex + 1 < addresses.Count)
        {
            candidate.AddressIndex++;
            candidate.Node = addresses[candidate.AddressIndex];
            candidate.State = CandidateState.NotContacted;
        }
    }

    private enum Claim
    {
        /// <summary>The sibling reached the node, or gave it up with no address left for this path to try.</summary>
        Settled,

        /// <summary>The sibling's query is in flight or about to leave: the node is awaited.</summary>
        Awaited,

        /// <summary>The sibling gave the node up; this path has an address it did not try.</summary>
        GivenUp,
    }

    /// <summary>Where the sibling path that claimed <paramref name="candidate"/>'s ID stands with it.</summary>
    private Claim SiblingClaim(LookupCandidate candidate, DateTimeOffset now)
    {
        var (path, owner) = _claims![candidate.Node.Id];
        if (ReferenceEquals(path, this) || owner.State == CandidateState.Succeeded || !KnowsAddressUnknownTo(candidate, owner))
        {
            // Nothing this path heard is news to the sibling (the honest case: one address per node): the sibling
            // tries it itself, and this path moves on without waiting, as S/Kademlia's paths do.
            return Claim.Settled;
        }

        var waiting = !path.IsFinished && (owner.State == CandidateState.NotContacted || (owner.State == CandidateState.InFlight && now < owner.Deadline));
        if (waiting)
        {
            return Claim.Awaited;
        }

        return UntriedBy(candidate, owner) ? Claim.GivenUp : Claim.Settled;
    }

    /// <summary>The earlier of <paramref name="wakeAt"/> and the deadline of the sibling's query of the candidate's ID, if in flight.</summary>
    private DateTimeOffset? SiblingDeadline(LookupCandidate candidate, DateTimeOffset? wakeAt)
    {
        var owner = _claims![candidate.Node.Id].Candidate;
        return owner.State == CandidateState.InFlight && (wakeAt is null || owner.Deadline < wakeAt) ? owner.Deadline : wakeAt;
    }

    /// <summary>
    /// Claims the candidate's ID for this path before its query leaves, or leaves it Skipped when a sibling path has it
    /// (taking it over, at an address the sibling did not try, once the sibling gave it up).
    /// </summary>
    private bool TryClaim(LookupCandidate candidate, DateTimeOffset now)
    {
        var id = candidate.Node.Id;
        if (!_claims!.TryGetValue(id, out var claim) || ReferenceEquals(claim.Path, this))
        {
            _claims[id] = (this, candidate);
            return true;
        }

        if (candidate.State == CandidateState.Skipped || SiblingClaim(candidate, now) != Claim.GivenUp)
        {
            candidate.State = CandidateState.Skipped;
            return false;
        }

        _claims[id] = (this, candidate);
        return true;
    }

    /// <summary>Whether <paramref name="candidate"/> heard an address for its ID that the sibling's <paramref name="owner"/> never heard.</summary>
    private static bool KnowsAddressUnknownTo(LookupCandidate candidate, LookupCandidate owner)
    {
        var mine = candidate.Addresses ?? [candidate.Node];
        var theirs = owner.Addresses ?? [owner.Node];
        foreach (var address in mine)
        {
            if (!theirs.Exists(a => a.Endpoint == address.Endpoint))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether <paramref name="candidate"/> has an address the sibling's <paramref name="owner"/> never tried; if so the
    /// candidate moves to the first such address (it is queried there next).
    /// </summary>
    private static bool UntriedBy(LookupCandidate candidate, LookupCandidate owner)
    {
        var tried = owner.Addresses is { } list ? list.Take(owner.AddressIndex + 1).Select(a => a.Endpoint).ToHashSet() : [owner.Node.Endpoint];
        var mine = candidate.Addresses ?? [candidate.Node];
        for (var i = candidate.AddressIndex; i < mine.Count; i++)
        {
            if (!tried.Contains(mine[i].Endpoint))
            {
                candidate.AddressIndex = i;
                candidate.Node = mine[i];
                return true;
            }
        }

        return false;
    }

    /// <summary>Keeps <paramref name="node"/>'s address as one more to try for a known ID, if new and within the bound.</summary>
    private static void RememberAddress(LookupCandidate known, NodeInfo node)
    {
        if (known.State == CandidateState.Succeeded || known.Node.Endpoint == node.Endpoint)
        {
            return;
        }

        var addresses = known.Addresses ??= [known.Node];
        if (addresses.Count >= MaxAddressesPerId || addresses.Exists(a => a.Endpoint == node.Endpoint))
        {
            return;
        }

        addresses.Add(node);
        if (known.State is CandidateState.Failed or CandidateState.Unresponsive)
        {
            TryNextAddress(known); // every address heard so far failed; this one is new
        }
    }

    /// <summary>
    /// A timed-out candidate closer than the result's last node is waited for until twice its
    /// timeout: a loaded machine or a slow link should not cost the result its closest node, while a
    /// dead node costs at most one more timeout.
    /// </summary>
    private static DateTimeOffset GraceEnd(LookupCandidate candidate) => candidate.Deadline + (candidate.Deadline - candidate.SentAt);

    /// <summary>The timeout of one query: the peer's own estimate, else the lookup's, within bounds.</summary>
    public TimeSpan TimeoutFor(NodeInfo peer)
    {
        var known = _timeoutFor(peer);
        if (known is not { } timeout)
        {
            return _rtt.Timeout(_options.MinTimeout, _options.MaxTimeout);
        }

        return timeout < _options.MinTimeout ? _options.MinTimeout : timeout > _options.MaxTimeout ? _options.MaxTimeout : timeout;
    }

    /// <summary>Ends the lookup now (a GET that found its value); later answers are ignored.</summary>
    public void Stop() => _finished = true;

    private LookupStep Finish()
    {
        _finished = true;
        return LookupStep.Finished;
    }

    private LookupCandidate? Add(NodeInfo node, LookupCandidate? from)
    {
        if (node.Id == _self)
        {
            return null;
        }

        if (_byId.TryGetValue(node.Id, out var known))
        {
            RememberAddress(known, node);
            return null;
        }

        var position = FindPosition(node.Id);
        if (position >= MaxCandidates)
        {
            return null;
        }

        var candidate = new LookupCandidate(node, from is null ? 1 : from.Depth + 1, from);
        _candidates.Insert(position, candidate);
        _byId.Add(node.Id, candidate);
        if (_candidates.Count > MaxCandidates)
        {
            DropFarthestIdle();
        }

        return candidate;
    }

    /// <summary>Drops the farthest candidate that is neither awaited nor a result.</summary>
    private void DropFarthestIdle()
    {
        for (var i = _candidates.Count - 1; i >= 0; i--)
        {
            if (_candidates[i].State is CandidateState.NotContacted or CandidateState.Failed or CandidateState.Skipped)
            {
                _byId.Remove(_candidates[i].Node.Id);
                _candidates.RemoveAt(i);
                return;
            }
        }
    }

    private int FindPosition(NodeId id)
    {
        int low = 0, high = _candidates.Count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (Target.CompareDistance(_candidates[middle].Node.Id, id) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
