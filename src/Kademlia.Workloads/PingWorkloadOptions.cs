namespace Kademlia.Workloads;

/// <summary>How <see cref="PingWorkload"/> measures.</summary>
public sealed class PingWorkloadOptions
{
    /// <summary>Requests in flight at once, for the nodes and for the raw echo alike. Defaults to 64.</summary>
    public int Window { get; set; } = 64;

    /// <summary>How long each of the two measurements runs. Defaults to 5 seconds.</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Unmeasured run before each measurement (JIT, sessions, socket buffers). Defaults to 0.5 seconds.</summary>
    public TimeSpan Warmup { get; set; } = TimeSpan.FromSeconds(0.5);

    /// <summary>Seeds the two node identities. Defaults to 1.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>
    /// Requests per second a node serves one source. Defaults to 1,000,000: the benchmark measures
    /// throughput, not the per-source rate limit (1,000 by default in <see cref="DhtNodeOptions"/>),
    /// which would otherwise cap it.
    /// </summary>
    public double RequestsPerSecondPerSource { get; set; } = 1_000_000;

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Window, 1, nameof(Window));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Window, 4_096, nameof(Window));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Duration, TimeSpan.Zero, nameof(Duration));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Duration, TimeSpan.FromMinutes(10), nameof(Duration));
        ArgumentOutOfRangeException.ThrowIfLessThan(Warmup, TimeSpan.Zero, nameof(Warmup));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RequestsPerSecondPerSource, 0, nameof(RequestsPerSecondPerSource));
    }
}
