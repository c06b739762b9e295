using Kademlia.Identity;

namespace Kademlia.Routing;

/// <summary>
/// A node in our routing table, with what we have measured of it: when we last heard from it, its
/// smoothed round-trip time and variance, its consecutive failures and a reputation score.
/// </summary>
/// <remarks>
/// RTT follows RFC 6298 (SRTT += (R - SRTT)/8, RTTVAR += (|SRTT - R| - RTTVAR)/4) so that a request
/// timeout of SRTT + 4·RTTVAR adapts to each peer instead of one fixed round timeout. Fields are kept
/// inline and small: a contact is about 140 bytes of heap.
/// </remarks>
public sealed class Contact
{
    /// <summary>The best and worst reputation a contact can reach.</summary>
    public const int MaxReputation = 100;

    private long _lastSeenTicks;
    private int _smoothedRttMicros;
    private int _rttVarianceMicros;
    private ushort _consecutiveFailures;
    private short _reputation;

    /// <summary>A contact for <paramref name="info"/>, heard from at <paramref name="now"/>.</summary>
    public Contact(NodeInfo info, DateTimeOffset now)
    {
        Id = info.Id;
        PublicKey = info.PublicKey;
        PowNonce = info.PowNonce;
        Endpoint = info.Endpoint;
        _lastSeenTicks = now.UtcTicks;
        _smoothedRttMicros = -1;
    }

    /// <summary>The node ID (SHA-256 of <see cref="PublicKey"/>).</summary>
    public NodeId Id { get; }

    /// <summary>The node's Ed25519 public key.</summary>
    public NodePublicKey PublicKey { get; }

    /// <summary>The node's dynamic proof-of-work nonce.</summary>
    public ulong PowNonce { get; }

    /// <summary>Where the node was last heard from.</summary>
    public NodeEndpoint Endpoint { get; internal set; }

    /// <summary>When we last had an authenticated exchange with the node.</summary>
    public DateTimeOffset LastSeen => new(_lastSeenTicks, TimeSpan.Zero);

    /// <summary>Smoothed round-trip time, or null before the first sample.</summary>
    public TimeSpan? SmoothedRtt => _smoothedRttMicros < 0 ? null : TimeSpan.FromMicroseconds(_smoothedRttMicros);

    /// <summary>Round-trip time variance (RTTVAR of RFC 6298).</summary>
    public TimeSpan RttVariance => TimeSpan.FromMicroseconds(_rttVarianceMicros);

    /// <summary>Requests in a row that went unanswered; reset by any answer.</summary>
    public int ConsecutiveFailures => _consecutiveFailures;

    /// <summary>
    /// From -100 to 100: rises with valid answers (+1), falls with failures (-2) and sharply with
    /// invalid answers (-20). Read in one place: <see cref="RoutingTable.RecordInvalidAnswer"/> evicts a
    /// contact whose reputation reaches -<see cref="MaxReputation"/>. Lookups do not read it: they order
    /// candidates by XOR distance alone, which reputation must never override, and distinct IDs are never
    /// equally distant, so there is no tie for it to break.
    /// </summary>
    public int Reputation => _reputation;

    /// <summary>The wire description of this contact.</summary>
    public NodeInfo ToNodeInfo() => new(Id, PublicKey, PowNonce, Endpoint);

    /// <summary>
    /// How long to wait for this contact's answer: SRTT + 4·RTTVAR clamped to
    /// [<paramref name="min"/>, <paramref name="max"/>]; <paramref name="max"/> before any sample.
    /// </summary>
    public TimeSpan RequestTimeout(TimeSpan min, TimeSpan max)
    {
        if (_smoothedRttMicros < 0)
        {
            return max;
        }

        var timeout = TimeSpan.FromMicroseconds(_smoothedRttMicros + (4L * _rttVarianceMicros));
        return timeout < min ? min : timeout > max ? max : timeout;
    }

    /// <summary>Records an answer after <paramref name="rtt"/>: updates RTT, clears failures, raises reputation.</summary>
    internal void RecordSuccess(TimeSpan rtt, DateTimeOffset now)
    {
        var sample = (int)Math.Clamp(rtt.Ticks / TimeSpan.TicksPerMicrosecond, 0, int.MaxValue / 8);
        if (_smoothedRttMicros < 0)
        {
            _smoothedRttMicros = sample;
            _rttVarianceMicros = sample / 2;
        }
        else
        {
            _rttVarianceMicros += (Math.Abs(_smoothedRttMicros - sample) - _rttVarianceMicros) / 4;
            _smoothedRttMicros += (sample - _smoothedRttMicros) / 8;
        }

        Touch(now);
        _consecutiveFailures = 0;
        AdjustReputation(+1);
    }

    /// <summary>Records that the node was heard from (any authenticated packet).</summary>
    internal void Touch(DateTimeOffset now)
    {
        if (now.UtcTicks > _lastSeenTicks)
        {
            _lastSeenTicks = now.UtcTicks;
        }
    }

    /// <summary>Records an unanswered request.</summary>
    internal void RecordFailure()
    {
        if (_consecutiveFailures < ushort.MaxValue)
        {
            _consecutiveFailures++;
        }

        AdjustReputation(-2);
    }

    /// <summary>Records an answer that failed validation (bad signature, bogus contacts, wrong record).</summary>
    internal void RecordInvalidAnswer() => AdjustReputation(-20);

    private void AdjustReputation(int delta) =>
        _reputation = (short)Math.Clamp(_reputation + delta, -MaxReputation, MaxReputation);

    /// <inheritdoc/>
    public override string ToString() => $"{Id.ToShortString()}@{Endpoint}";
}
