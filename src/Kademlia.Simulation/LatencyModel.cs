namespace Kademlia.Simulation;

/// <summary>
/// The one latency model of both simulator modes: what "RTT" and "latency" mean in every summary.
/// </summary>
/// <remarks>
/// <para>
/// Each node (behind a NAT: its NAT's access link) draws a <em>share</em>, log-normal around half the
/// median RTT with σ = <see cref="NodeSigma"/>. The round trip between two endpoints is the sum of their
/// shares times a fixed per-pair factor (log-normal, σ = <see cref="PairSigma"/>, derived from a hash of
/// the pair so that N² of them need no storage): RTT(a, b) = (s_a + s_b)·f_ab. Each direction takes half
/// of it, times a per-message jitter factor (log-normal, σ = <see cref="JitterSigma"/>, drawn from the
/// run's generator) when jitter is on. The message level charges a request and its answer one direction
/// each; the full-wire <see cref="EngineNetwork"/> delays each datagram by one direction. So a quiet
/// round trip is RTT(a, b) in both modes, and the median RTT a summary reports is the median of
/// RTT(a, b) over random pairs.
/// </para>
/// <para>No queueing, no bandwidth limits.</para>
/// </remarks>
public sealed class LatencyModel
{
    /// <summary>Standard deviation of the logarithm of the per-pair factor: paths differ beyond their endpoints' links.</summary>
    public const double PairSigma = 0.2;

    private readonly ulong _pairSalt;

    /// <summary>Creates the model of one run.</summary>
    /// <param name="seed">The run's seed (fixes the per-pair factors).</param>
    /// <param name="medianRtt">About the median round trip: each share is log-normal around half of it.</param>
    /// <param name="nodeSigma">Standard deviation of the logarithm of a share.</param>
    /// <param name="jitterSigma">Standard deviation of the logarithm of the per-message factor (0: no jitter).</param>
    public LatencyModel(int seed, TimeSpan medianRtt, double nodeSigma, double jitterSigma = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nodeSigma);
        ArgumentOutOfRangeException.ThrowIfNegative(jitterSigma);
        _pairSalt = Distributions.Mix((ulong)(uint)seed);
        MedianRtt = medianRtt;
        NodeSigma = nodeSigma;
        JitterSigma = jitterSigma;
    }

    /// <summary>The nominal median round trip (the measured one is a few percent above: a sum of log-normals).</summary>
    public TimeSpan MedianRtt { get; }

    /// <summary>Standard deviation of the logarithm of a node's share.</summary>
    public double NodeSigma { get; }

    /// <summary>Standard deviation of the logarithm of the per-message jitter factor; 0 when off.</summary>
    public double JitterSigma { get; }

    /// <summary>A node's share of every round trip it takes part in, drawn from the run's generator.</summary>
    public TimeSpan DrawShare(Random random) =>
        TimeSpan.FromMilliseconds(MedianRtt.TotalMilliseconds / 2 * Math.Exp(NodeSigma * Distributions.Gaussian(random)));

    /// <summary>The quiet round trip between endpoints <paramref name="a"/> and <paramref name="b"/> (keys unique in the run) with shares <paramref name="shareA"/> and <paramref name="shareB"/>.</summary>
    public TimeSpan RoundTrip(int a, TimeSpan shareA, int b, TimeSpan shareB)
    {
        var (low, high) = a < b ? (a, b) : (b, a);
        var factor = Math.Exp(PairSigma * Distributions.HashedGaussian(_pairSalt ^ ((ulong)(uint)low << 32) ^ (uint)high));
        return TimeSpan.FromTicks((long)((shareA + shareB).Ticks * factor));
    }

    /// <summary>
    /// How long one message from <paramref name="a"/> to <paramref name="b"/> takes: half the round trip,
    /// times a jitter factor drawn from <paramref name="random"/> when jitter is on (nothing is drawn when it is off).
    /// </summary>
    public TimeSpan OneWay(int a, TimeSpan shareA, int b, TimeSpan shareB, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var half = RoundTrip(a, shareA, b, shareB) / 2;
        return JitterSigma == 0 ? half : Jittered(half, random);
    }

    /// <summary><paramref name="delay"/> times a per-message jitter factor (unchanged when jitter is off).</summary>
    public TimeSpan Jittered(TimeSpan delay, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return JitterSigma == 0 ? delay : TimeSpan.FromTicks((long)(delay.Ticks * Math.Exp(JitterSigma * Distributions.Gaussian(random))));
    }
}
