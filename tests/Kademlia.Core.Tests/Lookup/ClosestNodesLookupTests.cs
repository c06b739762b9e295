using CsCheck;
using Kademlia.Identity;
using Kademlia.Lookup;
using Kademlia.Routing;
using static Kademlia.Tests.Routing.TestNodes;

namespace Kademlia.Tests.Lookup;

public class ClosestNodesLookupTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    private static NodeInfo[] Nodes(Random random, int count) =>
        Enumerable.Range(0, count).Select(i => Node(random, DistinctSubnet(i))).ToArray();

    private static LookupOptions Options(int k = 20, int alpha = 3, int paths = 1) =>
        new(k, alpha, paths, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(10));

    private static ClosestNodesLookup Start(NodeId target, IEnumerable<NodeInfo> seeds, int k = 20, int alpha = 3) =>
        new(target, NodeId.Zero, seeds, Options(k, alpha), _ => Timeout);

    private static List<NodeInfo> SendAll(ClosestNodesLookup lookup, DateTimeOffset now)
    {
        var sent = new List<NodeInfo>();
        while (lookup.Next(now) is { Kind: LookupStepKind.Send } step)
        {
            sent.Add(step.Peer);
        }

        return sent;
    }

    [Fact]
    public void At_most_alpha_queries_are_in_flight_and_the_closest_go_first()
    {
        var random = new Random(1);
        var seeds = Nodes(random, 10);
        var target = NodeId.Random(random);
        var lookup = Start(target, seeds);

        var sent = SendAll(lookup, Epoch);

        Assert.Equal(3, sent.Count);
        Assert.Equal(seeds.OrderBy(s => s.Id ^ target).Take(3).Select(s => s.Id), sent.Select(s => s.Id));
        Assert.Equal(LookupStepKind.Waiting, lookup.Next(Epoch).Kind);
        Assert.Equal(Epoch + Timeout, lookup.Next(Epoch).WakeAt);
    }

    [Fact]
    public void One_answer_frees_one_slot_without_waiting_for_the_round()
    {
        var random = new Random(2);
        var lookup = Start(NodeId.Random(random), Nodes(random, 10));
        var sent = SendAll(lookup, Epoch);

        lookup.OnSuccess(sent[1].Id, [], Epoch);

        Assert.Single(SendAll(lookup, Epoch.AddMilliseconds(10)));
        Assert.Equal(3, lookup.InFlight);
    }

    [Fact]
    public void A_slow_peer_frees_its_slot_at_its_deadline_and_its_late_answer_still_counts()
    {
        var random = new Random(3);
        var target = NodeId.Random(random);
        var lookup = Start(target, Nodes(random, 10));
        var sent = SendAll(lookup, Epoch);
        var slow = sent[0];

        var afterDeadline = Epoch + Timeout;
        var next = SendAll(lookup, afterDeadline);
        Assert.Equal(3, next.Count); // all three timed out: three fresh slots
        Assert.Equal(CandidateState.Unresponsive, lookup.Candidates.Single(c => c.Node.Id == slow.Id).State);

        // The late answer names a node closer than anything known: it is merged and queried.
        var closer = Enumerable.Range(0, 200).Select(_ => Node(random, DistinctSubnet(99)))
            .OrderBy(n => n.Id ^ target).First();
        lookup.OnSuccess(slow.Id, [closer], Epoch);
        Assert.Equal(CandidateState.Succeeded, lookup.Candidates.Single(c => c.Node.Id == slow.Id).State);
        Assert.Equal(closer.Id, lookup.Candidates[0].Node.Id);
    }

    [Fact]
    public void Answers_from_peers_never_queried_are_ignored()
    {
        var random = new Random(4);
        var seeds = Nodes(random, 5);
        var lookup = Start(NodeId.Random(random), seeds);
        SendAll(lookup, Epoch);
        var stranger = Node(random, DistinctSubnet(50));
        var planted = Node(random, DistinctSubnet(51));

        lookup.OnSuccess(stranger.Id, [planted], Epoch);
        lookup.OnSuccess(seeds.OrderBy(s => s.Id ^ lookup.Target).Last().Id, [planted], Epoch); // known, not yet queried

        Assert.DoesNotContain(lookup.Candidates, c => c.Node.Id == planted.Id);
        Assert.Equal(0, lookup.Answers);
    }

    [Fact]
    public void The_result_holds_only_nodes_that_answered_and_never_the_originator() =>
        Gen.Select(Gen.Int, Gen.Int[1, 60], Gen.Double[0, 1]).Sample((seed, count, answerRate) =>
        {
            var random = new Random(seed);
            var self = Node(random, DistinctSubnet(0));
            var everyone = Nodes(random, count).Append(self).ToArray();
            var lookup = new ClosestNodesLookup(NodeId.Random(random), self.Id, everyone.Take(5), Options(), _ => Timeout);
            var answered = new HashSet<NodeId>();
            var now = Epoch;
            for (var step = lookup.Next(now); step.Kind != LookupStepKind.Finished; step = lookup.Next(now))
            {
                if (step.Kind == LookupStepKind.Waiting)
                {
                    now = step.WakeAt!.Value;
                    continue;
                }

                if (random.NextDouble() < answerRate)
                {
                    answered.Add(step.Peer.Id);
                    lookup.OnSuccess(step.Peer.Id, everyone.OrderBy(_ => random.Next()).Take(8).ToArray(), now);
                }
                else
                {
                    lookup.OnFailure(step.Peer.Id);
                }
            }

            return lookup.Result.All(c => answered.Contains(c.Node.Id)) && lookup.Result.All(c => c.Node.Id != self.Id);
        }, iter: 200);

    [Fact]
    public void Candidates_stay_bounded_whatever_the_answers_hold() =>
        Gen.Select(Gen.Int, Gen.Int[1, 200]).Sample((seed, answerSize) =>
        {
            var random = new Random(seed);
            var lookup = Start(NodeId.Random(random), Nodes(random, 20));
            var now = Epoch;
            for (var round = 0; round < 30 && !lookup.IsFinished; round++)
            {
                foreach (var peer in SendAll(lookup, now))
                {
                    lookup.OnSuccess(peer.Id, Nodes(random, answerSize), now);
                }

                now = now.AddMilliseconds(1);
            }

            return lookup.Candidates.Count <= lookup.MaxCandidates + lookup.QueriesSent;
        }, iter: 50);

    [Fact]
    public void Without_progress_the_final_step_queries_all_unqueried_of_the_k_closest_at_once()
    {
        var random = new Random(5);
        var target = NodeId.Random(random);
        var seeds = Nodes(random, 30);
        var lookup = Start(target, seeds);
        var first = SendAll(lookup, Epoch);

        // Three answers that bring nothing closer than the closest seen.
        foreach (var peer in first)
        {
            lookup.OnSuccess(peer.Id, [], Epoch);
        }

        Assert.True(lookup.IsInFinalStep);
        var burst = SendAll(lookup, Epoch.AddMilliseconds(1));
        Assert.Equal(17, burst.Count); // the rest of the 20 closest, in one go
        Assert.Equal(seeds.OrderBy(s => s.Id ^ target).Skip(3).Take(17).Select(s => s.Id).Order(), burst.Select(s => s.Id).Order());
    }

    [Fact]
    public void The_lookup_finishes_once_the_k_closest_known_have_answered()
    {
        var random = new Random(6);
        var target = NodeId.Random(random);
        var seeds = Nodes(random, 8);
        var lookup = Start(target, seeds, k: 4, alpha: 2);
        var now = Epoch;
        while (true)
        {
            var step = lookup.Next(now);
            if (step.Kind == LookupStepKind.Finished) break;
            Assert.Equal(LookupStepKind.Send, step.Kind);
            lookup.OnSuccess(step.Peer.Id, [], now);
        }

        Assert.Equal(seeds.OrderBy(s => s.Id ^ target).Take(4).Select(s => s.Id), lookup.Result.Select(c => c.Node.Id));
        Assert.Equal(4, lookup.QueriesSent);
    }

    [Fact]
    public void A_closer_node_still_in_flight_is_awaited_after_k_farther_ones_answered()
    {
        // The closest node is learned late (from c1's answer) and is slow: by the time it answers, the
        // four seeds queried before it have all answered. It is still one of the k closest.
        var random = new Random(9);
        var target = NodeId.Random(random);
        var nodes = Nodes(random, 9).OrderBy(n => n.Id ^ target).ToArray();
        var (slowest, seeds) = (nodes[0], nodes[1..]);
        var latency = new Dictionary<NodeId, TimeSpan>
        {
            [seeds[0].Id] = TimeSpan.FromMilliseconds(5),
            [seeds[1].Id] = TimeSpan.FromMilliseconds(10),
            [slowest.Id] = TimeSpan.FromMilliseconds(500), // within its 1 s timeout
        };
        var lookup = Start(target, seeds, k: 4, alpha: 3);

        var end = Drive(
            lookup.Next,
            lookup.OnSuccess,
            peer => latency.GetValueOrDefault(peer, TimeSpan.FromMilliseconds(20)),
            peer => peer == seeds[1].Id ? [slowest] : []);

        Assert.Equal([slowest.Id, seeds[0].Id, seeds[1].Id, seeds[2].Id], lookup.Result.Select(c => c.Node.Id));
        Assert.Equal(Epoch + TimeSpan.FromMilliseconds(510), end);
    }

    [Fact]
    public void A_closer_node_that_never_answers_delays_the_end_by_its_timeout_and_grace_only()
    {
        var random = new Random(9);
        var target = NodeId.Random(random);
        var nodes = Nodes(random, 9).OrderBy(n => n.Id ^ target).ToArray();
        var (silent, seeds) = (nodes[0], nodes[1..]);
        var lookup = Start(target, seeds, k: 4, alpha: 3);

        var end = Drive(
            lookup.Next,
            lookup.OnSuccess,
            peer => peer == silent.Id ? null : peer == seeds[0].Id ? TimeSpan.FromMilliseconds(5) : TimeSpan.FromMilliseconds(peer == seeds[1].Id ? 10 : 20),
            peer => peer == seeds[1].Id ? [silent] : []);

        // Queried at 10 ms with a 1 s timeout: given up at 1.01 s, awaited once more until 2.01 s.
        Assert.Equal(Epoch + TimeSpan.FromMilliseconds(10) + 2 * Timeout, end);
        Assert.Equal(seeds.Take(4).Select(s => s.Id), lookup.Result.Select(c => c.Node.Id));
    }

    [Fact]
    public void A_finished_path_has_nothing_in_flight_closer_than_its_kth_answer() =>
        Gen.Select(Gen.Int, Gen.Int[1, 4], Gen.Int[2, 12]).Sample((seed, paths, k) =>
        {
            var random = new Random(seed);
            var everyone = Nodes(random, 80);
            var answers = everyone.ToDictionary(n => n.Id, _ => everyone.OrderBy(_ => random.Next()).Take(10).ToArray());
            // A tenth never answer; the rest answer within 1.5 s, so some answer after their 1 s timeout.
            var latency = everyone.ToDictionary(n => n.Id, _ => random.Next(10) == 0 ? (TimeSpan?)null : TimeSpan.FromMilliseconds(random.Next(1, 1500)));
            var lookup = new DisjointLookup(NodeId.Random(random), NodeId.Zero, everyone.Take(k * paths), Options(k, 3, paths), _ => Timeout);

            Drive(lookup.Next, lookup.OnSuccess, peer => latency[peer], peer => answers[peer]);

            return lookup.Paths.All(path =>
                path.Candidates.Where(c => c.State == CandidateState.InFlight).All(c =>
                    path.Result.Count == k && lookup.Target.CompareDistance(c.Node.Id, path.Result[k - 1].Node.Id) > 0));
        }, iter: 200);

    /// <summary>
    /// Drives a lookup in virtual time until it finishes: a queried peer answers after its latency
    /// (never when it has none) with the contacts <paramref name="answerOf"/> names. Returns when it finished.
    /// </summary>
    private static DateTimeOffset Drive(
        Func<DateTimeOffset, LookupStep> next,
        Action<NodeId, ReadOnlySpan<NodeInfo>, DateTimeOffset> onSuccess,
        Func<NodeId, TimeSpan?> latencyOf,
        Func<NodeId, NodeInfo[]> answerOf)
    {
        var arrivals = new PriorityQueue<NodeId, DateTimeOffset>();
        var now = Epoch;
        while (true)
        {
            var step = next(now);
            switch (step.Kind)
            {
                case LookupStepKind.Finished:
                    return now;
                case LookupStepKind.Send:
                    if (latencyOf(step.Peer.Id) is { } latency)
                    {
                        arrivals.Enqueue(step.Peer.Id, now + latency);
                    }

                    break;
                default:
                    if (arrivals.TryPeek(out var peer, out var at) && (step.WakeAt is not { } wake || at <= wake))
                    {
                        arrivals.Dequeue();
                        now = at;
                        onSuccess(peer, answerOf(peer), now);
                    }
                    else
                    {
                        now = step.WakeAt ?? throw new InvalidOperationException("The lookup waits with nothing to wait for.");
                    }

                    break;
            }
        }
    }

    [Fact]
    public void Disjoint_paths_never_query_a_node_twice() =>
        Gen.Select(Gen.Int, Gen.Int[1, 8]).Sample((seed, paths) =>
        {
            var random = new Random(seed);
            var everyone = Nodes(random, 120);
            var lookup = new DisjointLookup(NodeId.Random(random), NodeId.Zero, everyone.Take(20), Options(paths: paths), _ => Timeout);
            var queried = new List<NodeId>();
            var now = Epoch;
            for (var step = lookup.Next(now); step.Kind != LookupStepKind.Finished; step = lookup.Next(now))
            {
                if (step.Kind == LookupStepKind.Waiting)
                {
                    now = step.WakeAt!.Value;
                    continue;
                }

                queried.Add(step.Peer.Id);
                lookup.OnSuccess(step.Peer.Id, everyone.OrderBy(_ => random.Next()).Take(20).ToArray(), now);
            }

            return queried.Count == queried.Distinct().Count() && lookup.Result.Count > 0;
        }, iter: 100);

    [Fact]
    public void Peers_never_measured_get_the_lookups_own_rtt_estimate()
    {
        var random = new Random(8);
        var options = Options() with { MinTimeout = TimeSpan.FromMilliseconds(50), MaxTimeout = TimeSpan.FromSeconds(2) };
        var lookup = new ClosestNodesLookup(NodeId.Random(random), NodeId.Zero, Nodes(random, 30), options);
        var unknown = Node(random, DistinctSubnet(77));
        Assert.Equal(options.MaxTimeout, lookup.TimeoutFor(unknown));

        var now = Epoch;
        for (var i = 0; i < 6; i++)
        {
            var step = lookup.Next(now);
            Assert.Equal(LookupStepKind.Send, step.Kind);
            lookup.OnSuccess(step.Peer.Id, [], now + TimeSpan.FromMilliseconds(40));
        }

        // Six answers of 40 ms: about 40 ms + 4 x the remaining variance, far below the 2 s worst case.
        var estimate = lookup.TimeoutFor(unknown);
        Assert.InRange(estimate, options.MinTimeout, TimeSpan.FromMilliseconds(120));
    }
}
