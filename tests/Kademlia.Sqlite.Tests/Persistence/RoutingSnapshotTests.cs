using System.Net;
using Kademlia.Identity;
using Kademlia.Sqlite;
using Kademlia.Routing;

namespace Kademlia.Tests.Persistence;

public sealed class RoutingSnapshotTests : IDisposable
{
    /// <summary>No proof-of-work, loopback exempt: any random key is a valid contact.</summary>
    private static readonly NetworkParameters Network = NetworkParameters.Test with { StaticDifficulty = 0, DynamicDifficulty = 0 };

    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Saved_contacts_load_back_with_their_last_seen_times()
    {
        var path = _directory.File("routing.snapshot");
        var contacts = Contacts(12);
        RoutingSnapshot.Save(path, Network, contacts);
        var loaded = RoutingSnapshot.Load(path, Network);
        Assert.Equal(contacts, loaded);
        Assert.All(loaded, c => Assert.Equal(c.Node.PublicKey.ToNodeId(), c.Node.Id));
    }

    [Fact]
    public void A_routing_table_is_saved_as_candidates()
    {
        var path = _directory.File("routing.snapshot");
        var table = new RoutingTable(NodeId.Hash("self"u8), Network);
        foreach (var contact in Contacts(30))
        {
            table.Observe(contact.Node, contact.LastSeen);
        }

        RoutingSnapshot.Save(path, table);
        var loaded = RoutingSnapshot.Load(path, Network);
        Assert.Equal(table.Count, loaded.Count);
        Assert.Equal(table.Contacts.Select(c => (c.ToNodeInfo(), c.LastSeen)).ToHashSet(), loaded.Select(c => (c.Node, c.LastSeen)).ToHashSet());
    }

    [Fact]
    public void No_snapshot_is_no_candidates() =>
        Assert.Empty(RoutingSnapshot.Load(_directory.File("missing.snapshot"), Network));

    [Fact]
    public void Contacts_failing_the_networks_proof_of_work_are_left_out()
    {
        var path = _directory.File("routing.snapshot");
        var harder = Network with { StaticDifficulty = 1 };
        var contacts = Contacts(40);
        RoutingSnapshot.Save(path, harder, contacts);
        Assert.Equal(contacts.Where(c => c.Node.MeetsProofOfWork(harder)), RoutingSnapshot.Load(path, harder));
        Assert.InRange(RoutingSnapshot.Load(path, harder).Count, 1, 39);
    }

    public static TheoryData<string, DataFileError> Damaged => new()
    {
        { "flipped", DataFileError.Corrupt },
        { "truncated", DataFileError.Corrupt },
        { "short", DataFileError.Corrupt },
        { "foreign", DataFileError.UnknownFormat },
        { "version", DataFileError.UnsupportedVersion },
        { "network", DataFileError.OtherNetwork },
    };

    [Theory]
    [MemberData(nameof(Damaged))]
    public void A_damaged_snapshot_is_reported_and_left_byte_for_byte(string damage, DataFileError reason)
    {
        var path = _directory.File("routing.snapshot");
        RoutingSnapshot.Save(path, damage == "network" ? NetworkParameters.Default : Network, Contacts(5));
        var bytes = File.ReadAllBytes(path);
        bytes = damage switch
        {
            "flipped" => Flip(bytes, 40),
            "truncated" => bytes[..^10],
            "short" => bytes[..8],
            "foreign" => "SQLite format 3\0 and then some"u8.ToArray(),
            "version" => Flip(bytes, 4),
            _ => bytes,
        };
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<DataFileException>(() => RoutingSnapshot.Load(path, Network));
        Assert.Equal(reason, error.Reason);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    private static byte[] Flip(byte[] bytes, int index)
    {
        bytes[index] ^= 0x02;
        return bytes;
    }

    private static List<SavedContact> Contacts(int count)
    {
        var random = new Random(count);
        var contacts = new List<SavedContact>();
        for (var i = 0; i < count; i++)
        {
            var key = new byte[NodePublicKey.Size];
            random.NextBytes(key);
            var endpoint = i % 2 == 0
                ? NodeEndpoint.FromIPv4((uint)((20 << 24) | (i << 8) | 1), (ushort)(4000 + i))
                : new NodeEndpoint(IPAddress.Parse($"2001:db8:{i:x}::1"), 4000 + i);
            contacts.Add(new SavedContact(new NodeInfo(new NodePublicKey(key), (ulong)i, endpoint), T0.AddMilliseconds(random.Next())));
        }

        return contacts;
    }
}
