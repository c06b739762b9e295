using System.Diagnostics;
using System.Net;
using Kademlia.Identity;
using Kademlia.Routing;
using Kademlia.Simulation;

namespace Kademlia.Workloads;

/// <summary>
/// <c>kad bench ping</c>: authenticated PING/PONG throughput between two <see cref="DhtNode"/>s on
/// loopback with a window of requests in flight, once as configured by default and once with
/// <see cref="DhtNodeOptions.UnsafePreferInlineScheduling"/>, then <see cref="RawUdpEcho"/> with the same window,
/// duration and datagram size in the same process, so the ratio compares like with like.
/// </summary>
public static class PingWorkload
{
    /// <summary>Pings a worker sends at most, whatever the duration: a bound on the loop besides time.</summary>
    private const long MaxPingsPerWorker = 10_000_000;

    /// <summary>Runs both measurements and reports.</summary>
    public static async Task<PingReport> RunAsync(PingWorkloadOptions options, IProgress<WorkloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        progress?.Report(new WorkloadProgress("nodes", 0, 3));
        var (nodes, size) = await MeasureNodesAsync(options, inline: false, cancellationToken).ConfigureAwait(false);
        progress?.Report(new WorkloadProgress("nodes, inline scheduling", 1, 3));
        var (inline, _) = await MeasureNodesAsync(options, inline: true, cancellationToken).ConfigureAwait(false);

        progress?.Report(new WorkloadProgress("raw udp", 2, 3));
        var raw = await Task.Run(() =>
        {
            RawUdpEcho.Measure(size, options.Window, options.Warmup, cancellationToken);
            return RawUdpEcho.Measure(size, options.Window, options.Duration, cancellationToken);
        }, cancellationToken).ConfigureAwait(false);
        progress?.Report(new WorkloadProgress("done", 3, 3));

        return new PingReport
        {
            Window = options.Window,
            Processors = Environment.ProcessorCount,
            DatagramBytes = size,
            Nodes = nodes,
            InlineNodes = inline,
            RawUdp = raw,
        };
    }

    /// <summary>
    /// Two fresh nodes, one pinging the other with the window for the duration after the warm-up; also the
    /// mean size of the datagrams they sent, which the raw echo then carries.
    /// </summary>
    private static async Task<(ThroughputReport Report, int DatagramBytes)> MeasureNodesAsync(PingWorkloadOptions options, bool inline, CancellationToken cancellationToken)
    {
        var network = NetworkParameters.Test;
        await using var client = await StartAsync(network, options, 0, inline, cancellationToken).ConfigureAwait(false);
        await using var server = await StartAsync(network, options, 1, inline, cancellationToken).ConfigureAwait(false);
        var peer = server.Info;
        await LoopAsync(client, peer, options.Window, options.Warmup, cancellationToken).ConfigureAwait(false);
        var before = await TrafficAsync(client, server).ConfigureAwait(false);
        var report = await LoopAsync(client, peer, options.Window, options.Duration, cancellationToken).ConfigureAwait(false);
        var after = await TrafficAsync(client, server).ConfigureAwait(false);
        var packets = after.Packets - before.Packets;
        return (report, packets > 0 ? (int)Math.Clamp((after.Bytes - before.Bytes) / packets, sizeof(long), 1280) : 64);
    }

    private static async Task<DhtNode> StartAsync(NetworkParameters network, PingWorkloadOptions options, int index, bool inline, CancellationToken cancellationToken) =>
        await DhtNode.StartAsync(new DhtNodeOptions
        {
            Network = network,
            Bind = new IPEndPoint(IPAddress.Loopback, 0),
            Identity = SeededIdentities.Create(network, options.Seed, index, cancellationToken),
            RequestsPerSecondPerSource = options.RequestsPerSecondPerSource,
            UnsafePreferInlineScheduling = inline,
        }, cancellationToken).ConfigureAwait(false);

    private static async Task<(long Packets, long Bytes)> TrafficAsync(DhtNode a, DhtNode b)
    {
        var x = (await a.GetStatisticsAsync().ConfigureAwait(false)).Engine;
        var y = (await b.GetStatisticsAsync().ConfigureAwait(false)).Engine;
        return (x.PacketsOut + y.PacketsOut, x.BytesOut + y.BytesOut);
    }

    private static async Task<ThroughputReport> LoopAsync(DhtNode client, NodeInfo peer, int window, TimeSpan duration, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = await Task.WhenAll(Enumerable.Range(0, window).Select(_ => Task.Run(async () =>
        {
            var latencies = new List<double>();
            long failed = 0;
            for (long i = 0; i < MaxPingsPerWorker && Stopwatch.GetTimestamp() < deadline; i++)
            {
                var sent = Stopwatch.GetTimestamp();
                var result = await client.PingAsync(peer, cancellationToken).ConfigureAwait(false);
                if (result.Succeeded)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                }
                else
                {
                    failed++;
                }
            }

            return (latencies, failed);
        }, cancellationToken))).ConfigureAwait(false);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var all = workers.SelectMany(w => w.latencies).ToList();
        return new ThroughputReport(all.Count, workers.Sum(w => w.failed), seconds, Distribution.Of(all));
    }
}
