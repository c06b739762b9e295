using BenchmarkDotNet.Attributes;
using Kademlia.Identity;
using Kademlia.Routing;

namespace Kademlia.Benchmarks;

/// <summary>
/// Routing-table costs on a table of 5,000 contacts: 250 full buckets of 20, built by drawing IDs
/// for each bucket (a random network never fills deep buckets, so this is the worst case for size).
/// </summary>
[MemoryDiagnoser]
public class RoutingBenchmarks
{
    private const int ContactsPerTable = 5000;
    private static readonly NetworkParameters Network = NetworkParameters.Test with { StaticDifficulty = 0, DynamicDifficulty = 0 };
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Contact[] _destination = new Contact[20];
    private RoutingTable _table = null!;
    private NodeInfo[] _members = null!;
    private NodeInfo[] _fresh = null!;
    private NodeId[] _targets = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var self = NodeId.Random(random);
        _members = BuildMembers(random, self);
        _table = new RoutingTable(self, Network);
        foreach (var member in _members)
        {
            _table.Observe(member, Epoch);
        }

        if (_table.Count != ContactsPerTable)
        {
            throw new InvalidOperationException($"The table holds {_table.Count} contacts, not {ContactsPerTable}.");
        }

        _fresh = BuildMembers(new Random(43), self);
        _targets = Enumerable.Range(0, 1024).Select(_ => NodeId.Random(random)).ToArray();
    }

    /// <summary>FindClosest(20) into a reused buffer: no allocation at all.</summary>
    [Benchmark]
    public int FindClosest20_Span() => _table.FindClosest(_targets[_next++ & 1023], _destination);

    /// <summary>FindClosest(20) returning a new array: the result is the only allocation.</summary>
    [Benchmark]
    public Contact[] FindClosest20_Array() => _table.FindClosest(_targets[_next++ & 1023], 20);

    /// <summary>An authenticated exchange with a known contact: find it, refresh it, move it to the tail.</summary>
    [Benchmark]
    public RoutingUpdate Update_known_contact() => _table.Observe(_members[_next++ % ContactsPerTable], Epoch);

    /// <summary>An answer with an RTT sample: RFC 6298 update and move to the tail.</summary>
    [Benchmark]
    public bool RecordSuccess() => _table.RecordSuccess(_members[_next++ % ContactsPerTable].Id, TimeSpan.FromMilliseconds(40), Epoch);

    /// <summary>
    /// Fills an empty table with 5,000 contacts; "Allocated" divided by 5,000 is the heap cost of one
    /// stored contact, bucket lists included.
    /// </summary>
    [Benchmark(OperationsPerInvoke = ContactsPerTable)]
    public RoutingTable Fill_table_per_contact()
    {
        var table = new RoutingTable(_table.Self, Network);
        foreach (var node in _fresh)
        {
            table.Observe(node, Epoch);
        }

        return table;
    }

    private static NodeInfo[] BuildMembers(Random random, NodeId self)
    {
        // IDs are assigned (not hashed from keys) so that buckets 0 to 249 can all be full; a random
        // network never fills its deep buckets, so this is the largest table k = 20 allows in practice.
        // Bucket 249 has only 64 possible IDs, so draws are deduplicated.
        var members = new NodeInfo[ContactsPerTable];
        var seen = new HashSet<NodeId>();
        for (var i = 0; i < ContactsPerTable; i++)
        {
            NodeId id;
            do
            {
                id = NodeId.RandomInBucket(self, i / 20, random);
            }
            while (!seen.Add(id));

            members[i] = NodeInfo.WithAssignedId(id, NodeEndpoint.FromIPv4(0x7F000001, (ushort)(1 + i)));
        }

        return members;
    }
}
