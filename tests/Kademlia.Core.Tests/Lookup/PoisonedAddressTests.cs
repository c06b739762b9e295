using CsCheck;
using Kademlia.Identity;
using Kademlia.Lookup;
using static Kademlia.Tests.Routing.TestNodes;

namespace Kademlia.Tests.Lookup;

/// <summary>
/// Table poisoning: a peer names an honest node's ID with a dead address. The lookup keeps every address heard
/// for an ID and tries the next when one fails, so the first address heard does not decide whether the node is found.
/// </summary>
public class PoisonedAddressTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    private static LookupOptions Options(int paths = 1) => new(20, 3, paths, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(10));

    private static NodeInfo At(NodeInfo node, int subnet) => new(node.PublicKey, node.PowNonce, DistinctSubnet(subnet));

    /// <summary>A target and three nodes: the poisoner and the honest referrer farther from it, the victim closest.</summary>
    private static (NodeId Target, NodeInfo Poisoner, NodeInfo Referrer, NodeInfo Victim) Scene(int seed)
    {
        var random = new Random(seed);
        var target = NodeId.Random(random);
        var nodes = Enumerable.Range(0, 30).Select(i => Node(random, DistinctSubnet(i))).OrderBy(n => n.Id ^ target).ToArray();
        return (target, nodes[2], nodes[3], nodes[0]);
    }

    [Fact]
    public void A_node_first_heard_at_a_dead_address_is_queried_at_the_next_address_heard()
    {
        var (target, poisoner, referrer, victim) = Scene(1);
        var dead = At(victim, 500);
        var lookup = new ClosestNodesLookup(target, NodeId.Zero, [poisoner, referrer], Options(), _ => Timeout);
        Assert.Equal(2, Drain(lookup, Epoch).Count);

        lookup.OnSuccess(poisoner.Id, [dead], Epoch);
        Assert.Equal([dead], Drain(lookup, Epoch));
        lookup.OnSuccess(referrer.Id, [victim], Epoch); // the real address, heard second

        // The dead address times out; the real one is tried next, and the victim answers there.
        var retried = Drain(lookup, Epoch + Timeout);
        Assert.Contains(victim, retried);
        lookup.OnSuccess(victim.Id, [], Epoch + Timeout + TimeSpan.FromMilliseconds(50));
        Assert.Equal(victim.Id, lookup.Result[0].Node.Id);
        Assert.Equal(victim.Endpoint, lookup.Result[0].Node.Endpoint);
        Assert.Equal(2, lookup.Result[0].Attempts);
    }

    [Fact]
    public void A_new_address_heard_after_every_known_one_failed_reopens_the_node()
    {
        var (target, poisoner, referrer, victim) = Scene(2);
        var lookup = new ClosestNodesLookup(target, NodeId.Zero, [poisoner, referrer], Options(), _ => Timeout);
        Drain(lookup, Epoch);
        lookup.OnSuccess(poisoner.Id, [At(victim, 500)], Epoch);
        Drain(lookup, Epoch);
        lookup.OnFailure(victim.Id); // no session at the dead address
        Assert.Equal(CandidateState.Failed, lookup.Candidates.Single(c => c.Node.Id == victim.Id).State);

        lookup.OnSuccess(referrer.Id, [victim], Epoch);

        Assert.Contains(victim, Drain(lookup, Epoch));
    }

    [Fact]
    public void A_sibling_path_takes_over_a_node_its_claimant_reached_only_at_a_dead_address()
    {
        var (target, poisoner, referrer, victim) = Scene(3);
        // Seeds are dealt to the paths closest first: the poisoner to path 0, the referrer to path 1.
        var lookup = new DisjointLookup(target, NodeId.Zero, [poisoner, referrer], Options(paths: 2), _ => Timeout);
        Assert.Equal(2, Drain(lookup, Epoch).Count);
        lookup.OnSuccess(poisoner.Id, [At(victim, 500)], Epoch);
        Assert.Equal([At(victim, 500)], Drain(lookup, Epoch)); // path 0 claims the victim's ID, at the dead address
        lookup.OnSuccess(referrer.Id, [victim], Epoch);

        // Path 1 leaves the node to path 0 but waits for it (it does not finish without it)...
        Assert.Empty(Drain(lookup, Epoch));
        Assert.False(lookup.Paths[1].IsFinished);

        // ...and when path 0's only address times out, path 1 queries the node where it lives, once.
        Assert.Equal([victim], Drain(lookup, Epoch + Timeout));
        lookup.OnSuccess(victim.Id, [], Epoch + Timeout + TimeSpan.FromMilliseconds(50));
        Assert.Equal(victim, lookup.Result[0].Node);
    }

    [Fact]
    public void A_path_that_heard_a_claimed_node_at_the_claimants_own_address_moves_on_without_waiting()
    {
        var (target, first, second, node) = Scene(4);
        var lookup = new DisjointLookup(target, NodeId.Zero, [first, second], Options(paths: 2), _ => Timeout);
        Drain(lookup, Epoch);
        lookup.OnSuccess(first.Id, [node], Epoch);
        Assert.Equal([node], Drain(lookup, Epoch)); // path 0 claims the node

        lookup.OnSuccess(second.Id, [node], Epoch); // path 1 hears nothing path 0 does not know

        Assert.Empty(Drain(lookup, Epoch));
        Assert.True(lookup.Paths[1].IsFinished, "path 1 waited for a node only path 0 may query, at the one address both know");
        Assert.False(lookup.Paths[0].IsFinished);
    }

    [Fact]
    public void No_id_is_queried_at_more_addresses_than_the_bound_nor_twice_at_one()
    {
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var target = NodeId.Random(random);
            var nodes = Enumerable.Range(0, 40).Select(i => Node(random, DistinctSubnet(i))).ToArray();
            var lookup = new ClosestNodesLookup(target, NodeId.Zero, nodes.Take(5), Options(), _ => Timeout);
            var sent = new List<NodeInfo>();
            var now = Epoch;
            for (var step = lookup.Next(now); step.Kind != LookupStepKind.Finished && sent.Count < 5_000; step = lookup.Next(now))
            {
                if (step.Kind == LookupStepKind.Waiting)
                {
                    now = step.WakeAt!.Value;
                    continue;
                }

                sent.Add(step.Peer);
                if (random.Next(3) == 0)
                {
                    continue; // no answer: times out
                }

                // Answers naming random nodes, a third of them at one of a few hundred wrong addresses.
                var answer = Enumerable.Range(0, 10).Select(_ => nodes[random.Next(nodes.Length)])
                    .Select(n => random.Next(3) == 0 ? At(n, 1000 + random.Next(300)) : n).ToArray();
                lookup.OnSuccess(step.Peer.Id, answer, now);
            }

            return lookup.IsFinished
                && sent.GroupBy(n => n.Id).All(g => g.Count() <= ClosestNodesLookup.MaxAddressesPerId && g.Select(n => n.Endpoint).Distinct().Count() == g.Count());
        }, iter: 200);
    }

    private static List<NodeInfo> Drain(ClosestNodesLookup lookup, DateTimeOffset now)
    {
        var sent = new List<NodeInfo>();
        while (lookup.Next(now) is { Kind: LookupStepKind.Send } step)
        {
            sent.Add(step.Peer);
        }

        return sent;
    }

    private static List<NodeInfo> Drain(DisjointLookup lookup, DateTimeOffset now)
    {
        var sent = new List<NodeInfo>();
        while (lookup.Next(now) is { Kind: LookupStepKind.Send } step)
        {
            sent.Add(step.Peer);
        }

        return sent;
    }
}
