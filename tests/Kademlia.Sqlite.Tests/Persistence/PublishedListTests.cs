using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Sqlite;
using Kademlia.Records;

namespace Kademlia.Tests.Persistence;

public sealed class PublishedListTests : IDisposable
{
    private static readonly NetworkParameters Network = NetworkParameters.Test with { StaticDifficulty = 0, DynamicDifficulty = 0 };

    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static List<PublishedRecord> Published()
    {
        using var publisher = NodeIdentity.Generate(Network);
        return
        [
            PublishedRecord.ForValue(ImmutableRecord.Create("an immutable value"u8), T0.AddHours(3)),
            PublishedRecord.ForValue(MutableRecord.Create(publisher, "game 7"u8, 42, "seat 3 taken"u8), T0.AddMinutes(-5)),
            PublishedRecord.ForAnnouncement(NodeId.Hash("open games"u8), "table 7"u8, T0.AddHours(21)),
            PublishedRecord.ForAnnouncement(NodeId.Hash("empty data"u8), [], T0),
            PublishedRecord.ForAnnouncement(NodeId.Hash("largest data"u8), new byte[RecordLimits.MaxApplicationDataSize], T0),
        ];
    }

    private static object Shape(PublishedRecord p) =>
        (p.Key, p.IsAnnouncement, p.NextRepublish, Convert.ToHexString(p.ApplicationData.Span),
         p.Value is null ? "" : Convert.ToHexString(Kademlia.Wire.MessageCodec.EncodeRecord(p.Value)));

    [Fact]
    public void Saved_records_and_announcements_load_back_with_their_republish_times()
    {
        var path = _directory.File("published.list");
        var published = Published();
        PublishedList.Save(path, Network, published);

        var loaded = PublishedList.Load(path, Network);

        Assert.Equal(published.Select(Shape), loaded.Select(Shape));
        Assert.All(loaded.Where(p => p.Value is not null), p => Assert.Equal(RecordError.None, p.Value!.Verify()));
    }

    [Fact]
    public void No_file_is_an_empty_list() =>
        Assert.Empty(PublishedList.Load(_directory.File("missing.list"), Network));

    [Fact]
    public void Saving_replaces_the_list_whole_and_leaves_no_temporary_file()
    {
        var path = _directory.File("published.list");
        PublishedList.Save(path, Network, Published());
        PublishedList.Save(path, Network, Published().Take(1).ToList());

        Assert.Single(PublishedList.Load(path, Network));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Theory]
    [InlineData(20)] // inside an entry
    [InlineData(-1)] // the checksum
    public void A_damaged_list_is_reported_and_left_untouched(int offset)
    {
        var path = _directory.File("published.list");
        PublishedList.Save(path, Network, Published());
        var bytes = File.ReadAllBytes(path);
        bytes[offset < 0 ? bytes.Length + offset : offset] ^= 0x40;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<DataFileException>(() => PublishedList.Load(path, Network));

        Assert.Equal(DataFileError.Corrupt, error.Reason);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_truncated_list_is_reported()
    {
        var path = _directory.File("published.list");
        PublishedList.Save(path, Network, Published());
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^40]);

        Assert.Equal(DataFileError.Corrupt, Assert.Throws<DataFileException>(() => PublishedList.Load(path, Network)).Reason);
    }

    [Fact]
    public void Another_file_or_another_network_is_refused()
    {
        var path = _directory.File("published.list");
        File.WriteAllText(path, "not ours at all");
        Assert.Equal(DataFileError.UnknownFormat, Assert.Throws<DataFileException>(() => PublishedList.Load(path, Network)).Reason);

        PublishedList.Save(path, Network with { NetworkId = 12345 }, Published());
        Assert.Equal(DataFileError.OtherNetwork, Assert.Throws<DataFileException>(() => PublishedList.Load(path, Network)).Reason);
    }
}
