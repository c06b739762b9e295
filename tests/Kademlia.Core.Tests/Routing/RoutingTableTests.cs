using CsCheck;
using Kademlia.Identity;
using Kademlia.Routing;
using static Kademlia.Tests.Routing.TestNodes;

namespace Kademlia.Tests.Routing;

public class RoutingTableTests
{
    private static RoutingTable Filled(Random random, int count, out List<NodeInfo> offered)
    {
        var table = new RoutingTable(NodeId.Random(random), Network);
        offered = [];
        for (var i = 0; i < count; i++)
        {
            var node = Node(random, DistinctSubnet(i));
            offered.Add(node);
            table.Observe(node, Epoch.AddSeconds(i));
        }

        return table;
    }

    [Fact]
    public void FindClosest_equals_a_brute_force_sort_of_all_contacts() =>
        Gen.Select(Seeds, Gen.Int[0, 800], Gen.Int[0, 40], Gen.Bool).Sample((seed, size, count, nearSelf) =>
        {
            var random = new Random(seed);
            var table = Filled(random, size, out _);
            // Targets near the owner exercise the deep, sparse buckets; random ones the shallow ones.
            var target = nearSelf ? NodeId.RandomInBucket(table.Self, random.Next(0, 40), random) : NodeId.Random(random);
            var expected = table.Contacts.OrderBy(c => c.Id ^ target).Take(count).Select(c => c.Id);
            return table.FindClosest(target, count).Select(c => c.Id).SequenceEqual(expected);
        }, iter: 200);

    [Fact]
    public void FindClosest_of_the_owner_id_lists_the_nearest_buckets_first() =>
        Gen.Select(Seeds, Gen.Int[1, 300]).Sample((seed, size) =>
        {
            var table = Filled(new Random(seed), size, out _);
            var expected = table.Contacts.OrderBy(c => c.Id ^ table.Self).Take(20).Select(c => c.Id);
            return table.FindClosest(table.Self, 20).Select(c => c.Id).SequenceEqual(expected);
        }, iter: 50);

    [Fact]
    public void No_bucket_ever_exceeds_k_and_the_count_matches() =>
        Gen.Select(Seeds, Gen.Int[0, 2000]).Sample((seed, size) =>
        {
            var table = Filled(new Random(seed), size, out _);
            var total = 0;
            for (var i = 0; i < NodeId.Bits; i++)
            {
                var bucket = table.GetBucket(i);
                if (bucket is null) continue;
                if (bucket.Count > Network.K || bucket.Replacements.Count > Network.ReplacementCacheSize) return false;
                if (bucket.Contacts.Any(c => table.Self.CommonPrefixLength(c.Id) != i)) return false;
                total += bucket.Count;
            }

            return total == table.Count && table.Contacts.Select(c => c.Id).Distinct().Count() == total;
        }, iter: 50);

    [Fact]
    public void A_responsive_oldest_contact_is_never_evicted_for_a_newcomer() =>
        Gen.Select(Seeds, Gen.Int[1, 200]).Sample((seed, newcomers) =>
        {
            var random = new Random(seed);
            var self = NodeId.Random(random);
            var table = new RoutingTable(self, Network);
            var now = Epoch;
            var residents = Enumerable.Range(0, Network.K).Select(i => NodeInBucket(random, self, 0, DistinctSubnet(i))).ToList();
            foreach (var node in residents)
            {
                table.Observe(node, now = now.AddSeconds(1));
            }

            for (var i = 0; i < newcomers; i++)
            {
                var update = table.Observe(NodeInBucket(random, self, 0, DistinctSubnet(1000 + i)), now = now.AddSeconds(1));
                if (update.Kind != RoutingUpdateKind.Pending || update.PingCandidate is null) return false;
                // The oldest answers the ping: it stays and becomes the most recently seen.
                table.RecordSuccess(update.PingCandidate.Id, TimeSpan.FromMilliseconds(30), now);
            }

            var bucket = table.GetBucket(0)!;
            return bucket.Count == Network.K && residents.All(r => table.Find(r.Id) is not null);
        }, iter: 100);

    [Fact]
    public void A_failed_liveness_check_evicts_the_oldest_and_promotes_the_latest_newcomer()
    {
        var random = new Random(7);
        var self = NodeId.Random(random);
        var table = new RoutingTable(self, Network);
        var now = Epoch;
        for (var i = 0; i < Network.K; i++)
        {
            table.Observe(NodeInBucket(random, self, 0, DistinctSubnet(i)), now = now.AddSeconds(1));
        }

        var first = NodeInBucket(random, self, 0, DistinctSubnet(100));
        var second = NodeInBucket(random, self, 0, DistinctSubnet(101));
        table.Observe(first, now = now.AddSeconds(1));
        var update = table.Observe(second, now = now.AddSeconds(1));
        Assert.Equal(RoutingUpdateKind.Pending, update.Kind);
        var oldest = update.PingCandidate!;
        Assert.Same(table.GetBucket(0)!.Oldest, oldest);

        var evicted = table.LivenessCheckFailed(oldest.Id, now);

        Assert.Same(oldest, evicted);
        Assert.Null(table.Find(oldest.Id));
        Assert.NotNull(table.Find(second.Id));
        Assert.Null(table.Find(first.Id));
        Assert.Equal(Network.K, table.GetBucket(0)!.Count);
        Assert.Contains(table.GetBucket(0)!.Replacements, c => c.Id == first.Id);
    }

    [Fact]
    public void Observe_moves_a_known_contact_to_the_most_recently_seen_end()
    {
        var random = new Random(3);
        var self = NodeId.Random(random);
        var table = new RoutingTable(self, Network);
        var a = NodeInBucket(random, self, 0, DistinctSubnet(1));
        var b = NodeInBucket(random, self, 0, DistinctSubnet(2));
        table.Observe(a, Epoch);
        table.Observe(b, Epoch.AddSeconds(1));
        Assert.Equal(RoutingUpdateKind.Updated, table.Observe(a, Epoch.AddSeconds(2)).Kind);
        Assert.Equal([b.Id, a.Id], table.GetBucket(0)!.Contacts.Select(c => c.Id));
        Assert.Equal(Epoch.AddSeconds(2), table.Find(a.Id)!.LastSeen);
    }

    [Fact]
    public void The_table_never_holds_its_owner()
    {
        var random = new Random(1);
        var owner = Node(random, DistinctSubnet(1));
        var table = new RoutingTable(owner.Id, Network);
        var update = table.Observe(owner, Epoch);
        Assert.Equal(RoutingRejection.Self, update.Rejection);
        Assert.Equal(0, table.Count);
        Assert.Empty(table.FindClosest(owner.Id, 20));
    }

    [Fact]
    public void Contacts_whose_proof_of_work_fails_are_rejected()
    {
        var strict = Network with { StaticDifficulty = 0, DynamicDifficulty = 16 };
        var random = new Random(5);
        var table = new RoutingTable(NodeId.Random(random), strict);
        var node = Node(random, DistinctSubnet(1));
        var nonce = ProofOfWork.SolveDynamic(node.Id, 16);
        Assert.Equal(RoutingRejection.InvalidProofOfWork, table.Observe(new NodeInfo(node.PublicKey, nonce + 1, node.Endpoint), Epoch).Rejection);
        Assert.Equal(RoutingUpdateKind.Added, table.Observe(new NodeInfo(node.PublicKey, nonce, node.Endpoint), Epoch).Kind);
    }

    [Fact]
    public void Unreachable_endpoints_are_rejected()
    {
        var random = new Random(2);
        var table = new RoutingTable(NodeId.Random(random), Network);
        Assert.Equal(RoutingRejection.UnreachableEndpoint, table.Observe(Node(random, NodeEndpoint.FromIPv4(0, 4000)), Epoch).Rejection);
        Assert.Equal(RoutingRejection.UnreachableEndpoint, table.Observe(Node(random, NodeEndpoint.FromIPv4(0x01020304, 0)), Epoch).Rejection);
    }

    [Fact]
    public void Diversity_limits_hold_per_bucket_and_per_table() =>
        Gen.Select(Seeds, Gen.Int[1, 600], Gen.Int[1, 6]).Sample((seed, size, subnets) =>
        {
            // Many nodes crowded into a few /24s (or /48s): the limits must cap every subnet.
            var random = new Random(seed);
            var strict = Network with { ExemptLoopbackFromDiversityLimits = false };
            var table = new RoutingTable(NodeId.Random(random), strict);
            for (var i = 0; i < size; i++)
            {
                var subnet = random.Next(subnets);
                var endpoint = subnet % 2 == 0
                    ? NodeEndpoint.FromIPv4((uint)((30 << 24) | (subnet << 8) | random.Next(256)), (ushort)random.Next(1, 65536))
                    : NodeEndpoint.FromIPv6([0x20, 0x01, 0x0d, 0xb8, 0, (byte)subnet, .. Enumerable.Range(0, 10).Select(_ => (byte)random.Next(256))], 4000);
                table.Observe(Node(random, endpoint), Epoch.AddSeconds(i));
            }

            var perTable = table.Contacts.GroupBy(c => c.Endpoint.SubnetKey);
            var perBucket = Enumerable.Range(0, NodeId.Bits)
                .Where(i => table.GetBucket(i) is not null)
                .SelectMany(i => table.GetBucket(i)!.Contacts.GroupBy(c => c.Endpoint.SubnetKey));
            return perTable.All(g => g.Count() <= strict.MaxPerSubnetPerTable)
                && perBucket.All(g => g.Count() <= strict.MaxPerSubnetPerBucket);
        }, iter: 100);

    [Fact]
    public void Loopback_is_exempt_only_when_the_network_says_so()
    {
        var random = new Random(11);
        var self = NodeId.Random(random);
        var exempt = new RoutingTable(self, Network);
        var strict = new RoutingTable(self, Network with { ExemptLoopbackFromDiversityLimits = false });
        for (var i = 0; i < 5; i++)
        {
            var node = NodeInBucket(random, self, 0, Loopback(i));
            exempt.Observe(node, Epoch);
            strict.Observe(node, Epoch);
        }

        Assert.Equal(5, exempt.Count);
        Assert.Equal(Network.MaxPerSubnetPerBucket, strict.Count);
    }

    [Fact]
    public void Repeated_failures_evict_a_contact_and_promote_a_waiting_newcomer()
    {
        var random = new Random(9);
        var self = NodeId.Random(random);
        var table = new RoutingTable(self, Network);
        var now = Epoch;
        var nodes = Enumerable.Range(0, Network.K).Select(i => NodeInBucket(random, self, 0, DistinctSubnet(i))).ToList();
        nodes.ForEach(n => table.Observe(n, now = now.AddSeconds(1)));
        var newcomer = NodeInBucket(random, self, 0, DistinctSubnet(500));
        table.Observe(newcomer, now);
        var victim = nodes[5];

        for (var i = 1; i < Network.MaxConsecutiveFailures; i++)
        {
            Assert.Null(table.RecordFailure(victim.Id, now));
            Assert.Equal(i, table.Find(victim.Id)!.ConsecutiveFailures);
        }

        Assert.NotNull(table.RecordFailure(victim.Id, now));
        Assert.Null(table.Find(victim.Id));
        Assert.NotNull(table.Find(newcomer.Id));
    }

    [Fact]
    public void Invalid_answers_sink_reputation_until_eviction()
    {
        var random = new Random(4);
        var table = new RoutingTable(NodeId.Random(random), Network);
        var node = Node(random, DistinctSubnet(1));
        table.Observe(node, Epoch);
        Contact? evicted = null;
        for (var i = 0; i < 10 && evicted is null; i++)
        {
            evicted = table.RecordInvalidAnswer(node.Id, Epoch);
        }

        Assert.NotNull(evicted);
        Assert.Equal(-Contact.MaxReputation, evicted.Reputation);
        Assert.Null(table.Find(node.Id));
    }

    [Fact]
    public void Buckets_due_for_refresh_are_those_not_looked_up_within_the_interval()
    {
        var random = new Random(8);
        var self = NodeId.Random(random);
        var table = new RoutingTable(self, Network);
        table.Observe(NodeInBucket(random, self, 3, DistinctSubnet(1)), Epoch);
        var now = Epoch + Network.BucketRefreshInterval + TimeSpan.FromMinutes(1);
        Assert.Equal([0, 1, 2, 3], table.BucketsDueForRefresh(now));
        table.MarkRefreshed(NodeId.RandomInBucket(self, 2, random), now);
        Assert.Equal([0, 1, 3], table.BucketsDueForRefresh(now));
    }
}
