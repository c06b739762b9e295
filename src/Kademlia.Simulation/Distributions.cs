namespace Kademlia.Simulation;

/// <summary>The random distributions of the simulator, all drawn from one seeded generator.</summary>
public static class Distributions
{
    /// <summary>A standard normal draw (Box-Muller from two uniform draws).</summary>
    public static double Gaussian(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>A draw of <paramref name="kind"/> whose median is <paramref name="median"/>.</summary>
    /// <param name="random">The run's generator.</param>
    /// <param name="kind">Exponential (memoryless) or log-normal (heavy tail).</param>
    /// <param name="median">The median of the distribution.</param>
    /// <param name="sigma">For log-normal: the standard deviation of the logarithm.</param>
    public static TimeSpan Draw(Random random, DurationDistribution kind, TimeSpan median, double sigma)
    {
        ArgumentNullException.ThrowIfNull(random);
        var factor = kind switch
        {
            // Median of an exponential is mean·ln 2, so mean = median / ln 2.
            DurationDistribution.Exponential => -Math.Log(1.0 - random.NextDouble()) / Math.Log(2),
            _ => Math.Exp(sigma * Gaussian(random)),
        };
        return TimeSpan.FromTicks((long)Math.Max(1, median.Ticks * factor));
    }

    /// <summary>A 64-bit mix (SplitMix64), for values that must depend on a pair of nodes without storing N² of them.</summary>
    public static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>A standard normal value fixed by <paramref name="key"/>: the same key always gives the same value.</summary>
    public static double HashedGaussian(ulong key)
    {
        var a = Mix(key);
        var b = Mix(a);
        var u1 = 1.0 - ((a >> 11) * (1.0 / (1UL << 53)));
        var u2 = (b >> 11) * (1.0 / (1UL << 53));
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}

/// <summary>The shape of a session or downtime distribution.</summary>
public enum DurationDistribution
{
    /// <summary>Memoryless: a node is as likely to leave in its first minute as in its tenth hour.</summary>
    Exponential,

    /// <summary>Log-normal: most sessions near the median, a heavy tail of long-lived nodes (as measured in deployed DHTs).</summary>
    LogNormal,
}
