using System.Diagnostics;
using System.Text;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Simulation;

namespace Kademlia.Workloads;

/// <summary>
/// The end-to-end workload of <c>kad bench network</c>: builds a <see cref="LoopbackCluster"/>, then runs
/// announce/find-providers pairs, immutable put/get pairs, mutable rounds and FIND_NODE lookups one
/// operation at a time (so that latencies are those of an idle network), every choice of node, key and
/// value drawn from one seeded generator.
/// </summary>
public static class NetworkWorkload
{
    /// <summary>Builds the network, runs the workload, stops the network and reports.</summary>
    public static async Task<NetworkReport> RunAsync(NetworkWorkloadOptions options, IProgress<WorkloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        await using var cluster = await LoopbackCluster.StartAsync(options.Cluster, progress, cancellationToken).ConfigureAwait(false);
        var tableSizes = await cluster.GetTableSizesAsync().ConfigureAwait(false);
        var before = await TrafficAsync(cluster).ConfigureAwait(false);
        var random = new Random(options.Cluster.Seed);
        var run = new Run(cluster, options, random, progress, cancellationToken);
        var clock = Stopwatch.StartNew();
        var operations = new List<OperationReport>();
        if (options.Lookups > 0)
        {
            operations.AddRange(await run.ProvidersAsync().ConfigureAwait(false));
        }

        if (options.Puts > 0)
        {
            operations.AddRange(await run.ImmutablesAsync().ConfigureAwait(false));
        }

        if (options.Mutables > 0)
        {
            operations.AddRange(await run.MutablesAsync().ConfigureAwait(false));
        }

        if (options.FindNodes > 0)
        {
            operations.Add(await run.FindNodesAsync().ConfigureAwait(false));
        }

        var workload = clock.Elapsed;
        var after = await TrafficAsync(cluster).ConfigureAwait(false);
        return new NetworkReport
        {
            Nodes = cluster.Nodes.Count,
            Seed = options.Cluster.Seed,
            Processors = Environment.ProcessorCount,
            BootstrapMs = cluster.BootstrapMilliseconds,
            JoinMs = cluster.JoinMilliseconds,
            FailedJoins = cluster.FailedJoins,
            SettleMs = cluster.SettleMilliseconds,
            Settled = cluster.Settled,
            TableSizes = Distribution.Of(tableSizes.Select(s => (double)s)),
            Operations = operations,
            PacketsOut = after.PacketsOut - before.PacketsOut,
            RequestTimeouts = after.Timeouts - before.Timeouts,
            Drops = after.Drops - before.Drops,
            WorkloadMs = workload.TotalMilliseconds,
        };
    }

    private static async Task<(long PacketsOut, long Timeouts, long Drops)> TrafficAsync(LoopbackCluster cluster)
    {
        var statistics = await Task.WhenAll(cluster.Nodes.Select(n => n.GetStatisticsAsync())).ConfigureAwait(false);
        return (statistics.Sum(s => s.Engine.PacketsOut), statistics.Sum(s => s.Engine.RequestTimeouts), statistics.Sum(s => s.Engine.TotalDrops));
    }

    private sealed class Run(LoopbackCluster cluster, NetworkWorkloadOptions options, Random random, IProgress<WorkloadProgress>? progress, CancellationToken cancellationToken)
    {
        private IReadOnlyList<DhtNode> Nodes => cluster.Nodes;

        public async Task<OperationReport[]> ProvidersAsync()
        {
            var announces = new OperationRecorder("announce");
            var searches = new OperationRecorder("find providers");
            for (var i = 0; i < options.Lookups; i++)
            {
                var (announcer, searcher) = TwoNodes();
                var topic = NodeId.Hash(Encoding.UTF8.GetBytes($"kad-bench topic {options.Cluster.Seed} {i}"));
                await MeasureAsync(announces, async token =>
                {
                    var result = await announcer.AnnounceAsync(topic, cancellationToken: token).ConfigureAwait(false);
                    return (result, result.Succeeded, (int?)result.Stored);
                }).ConfigureAwait(false);
                await SearchAsync(searches, searcher, topic, announcer.Id).ConfigureAwait(false);
                progress?.Report(new WorkloadProgress("providers", i + 1, options.Lookups));
            }

            return [announces.ToReport(stores: true), searches.ToReport(streaming: true)];
        }

        public async Task<OperationReport[]> ImmutablesAsync()
        {
            var puts = new OperationRecorder("put immutable");
            var gets = new OperationRecorder("get immutable");
            for (var i = 0; i < options.Puts; i++)
            {
                var (putter, getter) = TwoNodes();
                var record = ImmutableRecord.Create(Value($"immutable {i}"));
                await MeasureAsync(puts, async token =>
                {
                    var result = await putter.PutAsync(record, cancellationToken: token).ConfigureAwait(false);
                    return (result, result.Succeeded, (int?)result.Stored);
                }).ConfigureAwait(false);
                await MeasureAsync(gets, async token =>
                {
                    var result = await getter.GetAsync(record.Key, RecordKind.Immutable, token).ConfigureAwait(false);
                    return (result, result.Record is ImmutableRecord got && got.Value.Span.SequenceEqual(record.Value.Span), (int?)null);
                }).ConfigureAwait(false);
                progress?.Report(new WorkloadProgress("immutable", i + 1, options.Puts));
            }

            return [puts.ToReport(stores: true), gets.ToReport()];
        }

        public async Task<OperationReport[]> MutablesAsync()
        {
            var puts = new OperationRecorder("put mutable");
            var gets = new OperationRecorder("get mutable");
            for (var i = 0; i < options.Mutables; i++)
            {
                using var publisher = SeededIdentities.Create(options.Cluster.Network, options.Cluster.Seed, -1 - i, cancellationToken);
                var salt = Encoding.UTF8.GetBytes($"kad-bench {i}");
                for (ulong sequence = 1; sequence <= 2; sequence++)
                {
                    var (putter, getter) = TwoNodes();
                    var record = MutableRecord.Create(publisher, salt, sequence, Value($"mutable {i} seq {sequence}"));
                    await MeasureAsync(puts, async token =>
                    {
                        var result = await putter.PutAsync(record, cancellationToken: token).ConfigureAwait(false);
                        return (result, result.Succeeded, (int?)result.Stored);
                    }).ConfigureAwait(false);
                    await GetMutableAsync(gets, getter, record).ConfigureAwait(false);
                }

                progress?.Report(new WorkloadProgress("mutable", i + 1, options.Mutables));
            }

            return [puts.ToReport(stores: true), gets.ToReport(streaming: true)];
        }

        public async Task<OperationReport> FindNodesAsync()
        {
            var lookups = new OperationRecorder("find node");
            var ids = Nodes.Select(n => n.Id).ToArray();
            for (var i = 0; i < options.FindNodes; i++)
            {
                var node = Nodes[random.Next(Nodes.Count)];
                var target = NodeId.Random(random);
                // The closest node to the target other than the asker (which never lists itself).
                var closest = ids.Where(id => id != node.Id).MinBy(id => id ^ target);
                await MeasureAsync(lookups, async token =>
                {
                    var result = await node.FindNodeAsync(target, token).ConfigureAwait(false);
                    return (result, result.Succeeded && result.Closest.Count > 0 && result.Closest[0].Id == closest, (int?)null);
                }).ConfigureAwait(false);
                progress?.Report(new WorkloadProgress("find node", i + 1, options.FindNodes));
            }

            return lookups.ToReport();
        }

        private async Task SearchAsync(OperationRecorder searches, DhtNode searcher, NodeId topic, NodeId announcer)
        {
            // FindProvidersAsync streams providers and keeps its final result to itself: its requests
            // are counted as the growth of the searcher's counter, exact while operations run one at a
            // time (the nodes' own maintenance is hourly).
            var sentBefore = (await searcher.GetStatisticsAsync().ConfigureAwait(false)).Engine.RequestsSent;
            using var guard = cluster.OperationGuard(cancellationToken);
            var started = Stopwatch.GetTimestamp();
            TimeSpan? first = null;
            var found = false;
            try
            {
                await foreach (var provider in searcher.FindProvidersAsync(topic, cancellationToken: guard.Token).ConfigureAwait(false))
                {
                    first ??= Stopwatch.GetElapsedTime(started);
                    found |= provider.Provider.Id == announcer;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                searches.AddFailure(Stopwatch.GetElapsedTime(started));
                return;
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            var sent = (await searcher.GetStatisticsAsync().ConfigureAwait(false)).Engine.RequestsSent - sentBefore;
            searches.Add(found, elapsed, (int)sent, 0, firstResult: first);
        }

        /// <summary>
        /// A mutable GET as a stream (<see cref="DhtNode.GetUpdatesAsync"/>): the time to the first value
        /// (what an application can show at once) and to the final one, which must be <paramref name="expected"/>.
        /// </summary>
        private async Task GetMutableAsync(OperationRecorder gets, DhtNode getter, MutableRecord expected)
        {
            // As for find-providers: the stream keeps the query's result to itself, so its requests are
            // the growth of the getter's counter, exact while operations run one at a time.
            var sentBefore = (await getter.GetStatisticsAsync().ConfigureAwait(false)).Engine.RequestsSent;
            using var guard = cluster.OperationGuard(cancellationToken);
            var started = Stopwatch.GetTimestamp();
            TimeSpan? first = null;
            ValueRecord? last = null;
            try
            {
                await foreach (var value in getter.GetUpdatesAsync(expected.Key, RecordKind.Mutable, guard.Token).ConfigureAwait(false))
                {
                    first ??= Stopwatch.GetElapsedTime(started);
                    last = value;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                gets.AddFailure(Stopwatch.GetElapsedTime(started));
                return;
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            var sent = (await getter.GetStatisticsAsync().ConfigureAwait(false)).Engine.RequestsSent - sentBefore;
            var ok = last is MutableRecord got && got.Sequence == expected.Sequence && got.Value.Span.SequenceEqual(expected.Value.Span);
            gets.Add(ok, elapsed, (int)sent, 0, firstResult: first);
        }

        private async Task MeasureAsync(OperationRecorder recorder, Func<CancellationToken, Task<(QueryResult Result, bool Succeeded, int? Stored)>> operation)
        {
            using var guard = cluster.OperationGuard(cancellationToken);
            var started = Stopwatch.GetTimestamp();
            try
            {
                var (result, succeeded, stored) = await operation(guard.Token).ConfigureAwait(false);
                recorder.Add(succeeded, Stopwatch.GetElapsedTime(started), result.MessagesSent, result.Hops, stored);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                recorder.AddFailure(Stopwatch.GetElapsedTime(started));
            }
        }

        private (DhtNode First, DhtNode Second) TwoNodes()
        {
            var first = random.Next(Nodes.Count);
            var second = random.Next(Nodes.Count - 1);
            return (Nodes[first], Nodes[second >= first ? second + 1 : second]);
        }

        private byte[] Value(string label)
        {
            var value = new byte[options.ValueSize];
            random.NextBytes(value);
            // A readable prefix (cut to fit) makes every value distinct even if the random tail repeats.
            var prefix = Encoding.UTF8.GetBytes($"kad-bench {options.Cluster.Seed} {label} ");
            prefix.AsSpan(0, Math.Min(prefix.Length, value.Length)).CopyTo(value);
            return value;
        }
    }
}
