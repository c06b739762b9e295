using Kademlia.Identity;
using Kademlia.Routing;

namespace Kademlia.Engine.Internal;

/// <summary>
/// Finds out whether packets from strangers reach this node, as libp2p's AutoNAT does: it asks a peer
/// (the helper) to have a <em>different</em> node dial it at the endpoint the helper observes. A dial
/// from a node this one never sent a packet to can only arrive if its NAT or firewall lets unsolicited
/// packets in.
/// </summary>
/// <remarks>
/// <para>One probe at a time. A dial that arrives with the probe's nonce, from an address we never
/// contacted and outside the helper's prefix, makes the node <see cref="NodeReachability.Public"/> at
/// once. A helper that forwarded the probe but no dial within <see cref="DialTimeout"/> counts as a
/// failure; <see cref="FailuresForPrivate"/> failures in a row, through different helpers, make it
/// <see cref="NodeReachability.Private"/>. Refusals, unanswered probes and dials that prove nothing
/// (from an address we sent to) are inconclusive: the next probe goes to a helper not yet tried in this
/// round (<see cref="DialTimeout"/> after a dial that proved nothing, <see cref="RetryInterval"/> after
/// the others), so one
/// helper whose dialer we happen to know cannot keep the node at <see cref="NodeReachability.Unknown"/>.</para>
/// <para>Re-checked every <see cref="RecheckInterval"/> and at once when the learned endpoint changes.</para>
/// </remarks>
internal sealed class ReachabilityProbes
{
    /// <summary>How long a forwarded probe waits for its dial.</summary>
    public static readonly TimeSpan DialTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Between two conclusive checks.</summary>
    public static readonly TimeSpan RecheckInterval = TimeSpan.FromMinutes(30);

    /// <summary>After an inconclusive attempt, before trying another helper.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Forwarded probes with no dial, in a row and through different helpers, before the node calls itself
    /// private. Three, because a helper cannot tell whether the node it forwarded to actually dialled (it
    /// may have been rate limited or gone): one or two lost dials must not turn a public node into a client.
    /// </summary>
    public const int FailuresForPrivate = 3;

    private readonly HashSet<NodeId> _failedHelpers = [];
    private readonly HashSet<NodeId> _triedHelpers = [];
    private Probe? _current;
    private DateTimeOffset _nextCheck = DateTimeOffset.MinValue;

    /// <summary>The latest conclusion.</summary>
    public NodeReachability Status { get; private set; }

    /// <summary>What the probes so far came to, for status output and diagnosis.</summary>
    public ReachabilityProbeCounts Counts { get; private set; } = new();

    /// <summary>When a probe is next due, or when the one in flight times out.</summary>
    public DateTimeOffset NextDue => _current is { } probe ? probe.Deadline : _nextCheck;

    /// <summary>Whether a new probe should start now.</summary>
    public bool IsDue(DateTimeOffset now) => _current is null && now >= _nextCheck;

    /// <summary>Asks for a new check at once (the learned endpoint changed).</summary>
    public void CheckSoon(DateTimeOffset now)
    {
        _nextCheck = now;
        _failedHelpers.Clear();
        _triedHelpers.Clear();
    }

    /// <summary>Whether <paramref name="helper"/> already failed to get a dial through in this round.</summary>
    public bool HasFailed(NodeId helper) => _failedHelpers.Contains(helper);

    /// <summary>Whether <paramref name="helper"/> was asked in this round (failed, or came to nothing): ask another first.</summary>
    public bool WasTried(NodeId helper) => _failedHelpers.Contains(helper) || _triedHelpers.Contains(helper);

    /// <summary>A PROBE with request ID <paramref name="nonce"/> went to <paramref name="helper"/>.</summary>
    public void Started(ulong nonce, NodeInfo helper, DateTimeOffset now)
    {
        _current = new Probe(nonce, helper.Id, helper.Endpoint, now + DialTimeout);
        Counts = Counts with { Sent = Counts.Sent + 1 };
    }

    /// <summary>The helper answered; a forwarded probe now waits for its dial, anything else ends the attempt.</summary>
    public void Acknowledged(ulong nonce, bool forwarded, DateTimeOffset now)
    {
        if (_current is not { } probe || probe.Nonce != nonce)
        {
            return;
        }
        if (forwarded)
        {
            _current = probe with { Forwarded = true, Deadline = now + DialTimeout };
            Counts = Counts with { Forwarded = Counts.Forwarded + 1 };
        }
        else
        {
            Counts = Counts with { Refused = Counts.Refused + 1 };
            _triedHelpers.Add(probe.Helper);
            Inconclusive(now);
        }
    }

    /// <summary>The PROBE itself failed (no answer, no session).</summary>
    public void Failed(ulong nonce, DateTimeOffset now)
    {
        if (_current is { } probe && probe.Nonce == nonce && !probe.Forwarded)
        {
            Counts = Counts with { Unanswered = Counts.Unanswered + 1 };
            _triedHelpers.Add(probe.Helper);
            Inconclusive(now);
        }
    }

    /// <summary>
    /// A dial arrived from <paramref name="dialer"/>; true when it concludes the probe (Public).
    /// <paramref name="contactedBefore"/> tells whether we ever sent to the dialer's address (then its
    /// packet proves nothing: our own traffic opened the way).
    /// </summary>
    public bool Dialed(ulong nonce, NodeEndpoint dialer, bool contactedBefore, bool loopbackPerEndpoint, DateTimeOffset now)
    {
        if (_current is not { } probe || probe.Nonce != nonce)
        {
            return false;
        }

        var samePrefix = dialer.PrefixKey(loopbackPerEndpoint) == probe.HelperEndpoint.PrefixKey(loopbackPerEndpoint);
        if (contactedBefore || samePrefix)
        {
            // It came through, but maybe only because we opened the way: neither success nor failure. The
            // helper chose that dialer; ask another helper next (it will likely choose another dialer), a
            // little later: probes back to back would run into the dialers' rate limits, whose silent
            // refusals look like missed dials.
            Counts = Counts with { DialsFromKnown = Counts.DialsFromKnown + 1 };
            _triedHelpers.Add(probe.Helper);
            _current = null;
            _nextCheck = now + DialTimeout;
            return false;
        }

        Counts = Counts with { DialsFromStrangers = Counts.DialsFromStrangers + 1 };
        Conclude(NodeReachability.Public, now);
        return true;
    }

    /// <summary>Ends a forwarded probe whose dial did not come in time; true when <see cref="Status"/> changed.</summary>
    public bool Expire(DateTimeOffset now)
    {
        if (_current is not { } probe || now < probe.Deadline)
        {
            return false;
        }

        if (!probe.Forwarded)
        {
            Counts = Counts with { Unanswered = Counts.Unanswered + 1 };
            _triedHelpers.Add(probe.Helper);
            Inconclusive(now);
            return false;
        }

        Counts = Counts with { DialsMissed = Counts.DialsMissed + 1 };
        _failedHelpers.Add(probe.Helper);
        _current = null;
        if (_failedHelpers.Count >= FailuresForPrivate)
        {
            var changed = Status != NodeReachability.Private;
            Conclude(NodeReachability.Private, now);
            return changed;
        }

        _nextCheck = now;
        return false;
    }

    /// <summary>
    /// Concludes <see cref="NodeReachability.Private"/> without a probe: peers see a different port each
    /// (an endpoint-dependent NAT), which no stranger's packet can get through.
    /// </summary>
    public void ConcludePrivate(DateTimeOffset now) => Conclude(NodeReachability.Private, now);

    /// <summary>
    /// No helper to ask now (every one was tried this round, or the table is too small): try again later,
    /// from the start of a new round. Failures stay counted: they were real.
    /// </summary>
    public void Postpone(DateTimeOffset now)
    {
        _triedHelpers.Clear();
        Inconclusive(now);
    }

    private void Inconclusive(DateTimeOffset now)
    {
        _current = null;
        _nextCheck = now + RetryInterval;
    }

    private void Conclude(NodeReachability status, DateTimeOffset now)
    {
        Status = status;
        _current = null;
        _failedHelpers.Clear();
        _triedHelpers.Clear();
        _nextCheck = now + RecheckInterval;
    }

    private readonly record struct Probe(ulong Nonce, NodeId Helper, NodeEndpoint HelperEndpoint, DateTimeOffset Deadline, bool Forwarded = false);
}
