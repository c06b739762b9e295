using Kademlia.Identity;
using Kademlia.Lookup;
using Kademlia.Routing;

namespace Kademlia.Simulation;

/// <summary>
/// A deterministic network of routing tables that answer FIND_NODE instantly in memory, with
/// per-node latency on a virtual clock: the message-level mode of the simulator, for many nodes and
/// for studying lookups without codec or session costs. One seed reproduces a run bit for bit.
/// </summary>
/// <remarks>
/// IDs are assigned from the seeded generator instead of derived from keys (no proof-of-work, no
/// signatures), and every node's table is filled by observing every other node, which gives the
/// well-populated tables of a network that has run for a while.
/// </remarks>
public sealed class MessageLevelNetwork
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly SimulatedNode[] _nodes;
    private readonly Random _random;

    /// <summary>Builds <paramref name="nodeCount"/> nodes with one-way latencies drawn around <paramref name="medianRtt"/>/2.</summary>
    public MessageLevelNetwork(int nodeCount, int seed, NetworkParameters network, TimeSpan medianRtt)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfLessThan(nodeCount, 2);
        Network = network with { StaticDifficulty = 0, DynamicDifficulty = 0, ExemptLoopbackFromDiversityLimits = true };
        Seed = seed;
        _random = new Random(seed);
        _nodes = new SimulatedNode[nodeCount];
        for (var i = 0; i < nodeCount; i++)
        {
            var id = NodeId.Random(_random);
            var info = NodeInfo.WithAssignedId(id, NodeEndpoint.FromIPv4(0x7F000001, (ushort)(1 + (i % 65000))));
            // Log-normal one-way latency: most nodes near the median, a long tail of slow ones.
            var oneWay = medianRtt.TotalMilliseconds / 2 * Math.Exp(0.5 * Gaussian(_random));
            _nodes[i] = new SimulatedNode(i, info, new RoutingTable(id, Network), TimeSpan.FromMilliseconds(oneWay));
        }

        foreach (var node in _nodes)
        {
            foreach (var other in _nodes)
            {
                node.Table.Observe(other.Info, Start);
            }
        }
    }

    /// <summary>The seed that reproduces this network.</summary>
    public int Seed { get; }

    /// <summary>The parameters in force (proof-of-work off, loopback exempt).</summary>
    public NetworkParameters Network { get; }

    /// <summary>The nodes.</summary>
    public IReadOnlyList<SimulatedNode> Nodes => _nodes;

    /// <summary>A target drawn from the network's generator.</summary>
    public NodeId RandomTarget() => NodeId.Random(_random);

    /// <summary>Runs one lookup of <paramref name="target"/> from node <paramref name="from"/> to completion in virtual time.</summary>
    public LookupOutcome RunLookup(int from, NodeId target, int disjointPaths = 1)
    {
        var origin = _nodes[from];
        var byId = _nodes.ToDictionary(n => n.Info.Id);
        var seeds = origin.Table.FindClosest(target, Network.K).Select(c => c.ToNodeInfo());
        var options = LookupOptions.From(Network) with { DisjointPaths = disjointPaths };
        var lookup = new DisjointLookup(target, origin.Info.Id, seeds, options);
        var pending = new PriorityQueue<(NodeId Peer, NodeInfo[] Closer), (long, long)>();
        var now = Start;
        long sequence = 0;
        while (true)
        {
            var step = lookup.Next(now);
            if (step.Kind == LookupStepKind.Send)
            {
                var peer = byId[step.Peer.Id];
                if (peer.Behavior != NodeBehavior.Silent)
                {
                    var rtt = 2 * (origin.OneWayLatency + peer.OneWayLatency);
                    pending.Enqueue((peer.Info.Id, Answer(peer, target)), ((now + rtt).UtcTicks, sequence++));
                }

                continue;
            }

            if (step.Kind == LookupStepKind.Finished)
            {
                break;
            }

            // Waiting: advance to the next answer or the next deadline, whichever comes first.
            var wake = step.WakeAt ?? DateTimeOffset.MaxValue;
            if (pending.TryPeek(out var answer, out var at) && at.Item1 <= wake.UtcTicks)
            {
                pending.Dequeue();
                now = new DateTimeOffset(at.Item1, TimeSpan.Zero);
                lookup.OnSuccess(answer.Peer, answer.Closer, now);
            }
            else if (step.WakeAt is { } deadline)
            {
                now = deadline;
            }
            else
            {
                break;
            }
        }

        var result = lookup.Result;
        var trueClosest = _nodes.Where(n => n.Index != from && n.Behavior == NodeBehavior.Honest)
            .Select(n => n.Info.Id).OrderBy(id => id ^ target).Take(Network.K).ToList();
        var path = new List<LookupCandidate>();
        for (var c = result.Count > 0 ? result[0] : null; c is not null; c = c.LearnedFrom)
        {
            path.Insert(0, c);
        }

        return new LookupOutcome(target, result, trueClosest, lookup.Hops, lookup.QueriesSent, now - Start, path);
    }

    private NodeInfo[] Answer(SimulatedNode peer, NodeId target)
    {
        if (peer.Behavior == NodeBehavior.Colluding)
        {
            return _nodes.Where(n => n.Behavior == NodeBehavior.Colluding && n != peer)
                .Select(n => n.Info).OrderBy(n => n.Id ^ target).Take(Network.K).ToArray();
        }

        return peer.Table.FindClosest(target, Network.K).Select(c => c.ToNodeInfo()).ToArray();
    }

    private static double Gaussian(Random random)
    {
        // Box-Muller from two uniform draws of the seeded generator.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
