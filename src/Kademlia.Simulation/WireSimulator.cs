using System.Text;
using Kademlia.Engine;
using Kademlia.Records;

namespace Kademlia.Simulation;

/// <summary>
/// The full-wire counterpart of <see cref="Simulator"/> for small networks: real engines (codec,
/// Noise sessions, proof-of-work, record validation) on an <see cref="EngineNetwork"/>. Every node
/// bootstraps from node 0, then the workload runs one operation at a time on the virtual clock.
/// Latency and loss are modelled; churn and adversaries are message-level only.
/// </summary>
public static class WireSimulator
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    /// <summary>Runs <paramref name="options"/> in full-wire mode.</summary>
    /// <exception cref="NotSupportedException">The options ask for churn, adversaries, an eclipse or NAT, which only the message level models.</exception>
    public static SimulationSummary Run(SimulationOptions options, string scenario = "")
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Churn is not null || options.Adversaries is not null || options.Eclipse is not null || options.UnreachableFraction > 0)
        {
            throw new NotSupportedException("Full-wire mode models latency and loss only; use message mode for churn, adversaries, eclipse and NAT.");
        }

        var network = options.ToNetworkParameters() with { StaticDifficulty = 1, DynamicDifficulty = 1 };
        using var net = new EngineNetwork(options.Seed, network, options.MedianRtt, options.LossRate, options.LatencySigma, options.JitterSigma)
        {
            ProcessingDelay = options.ProcessingDelay,
        };
        var random = new Random(options.Seed ^ 0x5EED);
        var nodes = new List<SimulatedEngine> { net.AddNode() };
        for (var i = 1; i < options.Nodes; i++)
        {
            var node = net.AddNode();
            var query = net.Start(node, (engine, now) => engine.Bootstrap(now, [nodes[0].Info]));
            net.RunUntilFinished(node, query, Limit);
            nodes.Add(node);
        }

        // Let the joins settle (bucket pings, late answers) before measuring.
        net.RunFor(TimeSpan.FromSeconds(30));
        var samples = new List<OperationSample>();
        var keys = new List<Records.ImmutableRecord>();
        for (var r = 0; r < options.Records; r++)
        {
            var record = ImmutableRecord.Create(Encoding.UTF8.GetBytes($"simulated record {r} of seed {options.Seed}"));
            keys.Add(record);
            var from = nodes[random.Next(nodes.Count)];
            if (Run(net, from, (engine, now) => engine.Put(now, record)) is StoreResult put)
            {
                samples.Add(new OperationSample(OperationKind.Put, 0, put.Succeeded, put.Hops, put.Duration.TotalMilliseconds, put.MessagesSent));
            }
        }

        var ids = nodes.Select(n => n.Info.Id).ToList();
        for (var i = 0; i < options.Lookups; i++)
        {
            var from = nodes[random.Next(nodes.Count)];
            var target = Identity.NodeId.Random(random);
            if (Run(net, from, (engine, now) => engine.FindNode(now, target)) is FindNodeResult found)
            {
                var closest = ids.Where(id => id != from.Info.Id).MinBy(id => id ^ target);
                var ok = found.Closest.Count > 0 && found.Closest[0].Id == closest;
                samples.Add(new OperationSample(OperationKind.FindNode, 0, ok, found.Hops, found.Duration.TotalMilliseconds, found.MessagesSent));
            }
        }

        var gets = keys.Count == 0 ? 0 : options.Gets ?? options.Lookups;
        for (var i = 0; i < gets; i++)
        {
            var record = keys[random.Next(keys.Count)];
            var from = nodes[random.Next(nodes.Count)];
            if (Run(net, from, (engine, now) => engine.Get(now, record.Key, RecordKind.Immutable)) is GetResult got)
            {
                samples.Add(new OperationSample(OperationKind.Get, 0, got.Succeeded, got.Hops, got.Duration.TotalMilliseconds, got.MessagesSent));
            }
        }

        List<OperationSample> Of(OperationKind kind) => samples.Where(s => s.Kind == kind).ToList();
        return new SimulationSummary
        {
            Seed = options.Seed,
            Mode = "wire",
            Scenario = scenario,
            Nodes = options.Nodes,
            K = options.K,
            Alpha = options.Alpha,
            DisjointPaths = options.DisjointPaths,
            MeasuredMedianRttMs = Math.Round(MedianRoundTripMs(net, new Random(options.Seed ^ 0x0177)), 1),
            FindNode = OperationStats.Of(Of(OperationKind.FindNode)),
            Get = OperationStats.Of(Of(OperationKind.Get)),
            Put = OperationStats.Of(Of(OperationKind.Put)),
            Republish = OperationStats.Of([]),
            Probes = OperationStats.Of([]),
            Timeline =
            [
                new TimelinePoint(0, nodes.Count, double.NaN, double.NaN, 0,
                    Math.Round(nodes.Average(n => n.Engine.Routing.Count), 1), 1),
            ],
            Events = net.EventsProcessed,
            Messages = net.Delivered + net.Lost,
            TraceDigest = net.TraceDigest,
            Violations = [],
            Samples = samples,
        };
    }

    /// <summary>The median quiet round trip over 1,001 random pairs of distinct nodes, as the message level measures it.</summary>
    private static double MedianRoundTripMs(EngineNetwork net, Random random)
    {
        var nodes = net.Nodes;
        var rtts = new double[1001];
        for (var i = 0; i < rtts.Length; i++)
        {
            var a = nodes[random.Next(nodes.Count)];
            var b = nodes[random.Next(nodes.Count - 1)];
            b = b == a ? nodes[^1] : b;
            rtts[i] = net.RoundTrip(a, b).TotalMilliseconds;
        }

        Array.Sort(rtts);
        return rtts[rtts.Length / 2];
    }

    private static QueryResult? Run(EngineNetwork net, SimulatedEngine node, Func<KademliaEngine, DateTimeOffset, QueryId> operation)
    {
        var query = net.Start(node, operation);
        return net.RunUntilFinished(node, query, Limit);
    }
}
