using Kademlia.Identity;
using Kademlia.Sqlite;

namespace Kademlia.Tests.Persistence;

/// <summary>
/// Issue 12 item 11: damaged database pages, a records.db or lock that is a directory, and a data
/// directory others can write in are refused with a <see cref="DataFileException"/> naming the path,
/// and nothing on disk changes.
/// </summary>
public sealed class DamagedDataFileTests : IDisposable
{
    private const int PageSize = 4096;

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    /// <summary>A record database whose header and schema are intact but whose first table page is garbage.</summary>
    internal static void DamageTablePage(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length >= 2 * PageSize, $"{bytes.Length} bytes");
        bytes.AsSpan(PageSize, PageSize).Fill(0xFF);
        File.WriteAllBytes(path, bytes);
    }

    [Fact]
    public void A_record_database_with_damaged_pages_is_refused_and_left_untouched()
    {
        var path = _directory.File("records.db");
        SqliteRecordStore.Open(path, NodeId.Zero, DateTimeOffset.UnixEpoch).Dispose();
        DamageTablePage(path);
        var before = File.ReadAllBytes(path);

        var error = Assert.Throws<DataFileException>(() => SqliteRecordStore.Open(path, NodeId.Zero, DateTimeOffset.UnixEpoch));

        Assert.Equal(DataFileError.Corrupt, error.Reason);
        Assert.Equal(path, error.Path);
        Assert.Contains("malformed", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_record_database_that_is_a_directory_is_refused()
    {
        var path = Directory.CreateDirectory(_directory.File("records.db")).FullName;

        var error = Assert.Throws<DataFileException>(() => SqliteRecordStore.Open(path, NodeId.Zero, DateTimeOffset.UnixEpoch));

        Assert.Equal(DataFileError.NotAFile, error.Reason);
        Assert.Equal(path, error.Path);
        Assert.Empty(Directory.GetFileSystemEntries(path));
    }

    [Fact]
    public void A_key_file_or_published_list_that_is_a_directory_is_refused()
    {
        var key = Directory.CreateDirectory(_directory.File("identity.key")).FullName;
        var keyError = Assert.Throws<KeyFileException>(() => IdentityKeyFile.LoadOrCreate(key, NetworkParameters.Test));
        Assert.Equal(KeyFileError.NotAFile, keyError.Reason);
        Assert.Equal(KeyFileError.NotAFile, Assert.Throws<KeyFileException>(() => IdentityKeyFile.Load(key, NetworkParameters.Test)).Reason);
        Assert.Empty(Directory.GetFileSystemEntries(key));

        var list = Directory.CreateDirectory(_directory.File("published.list")).FullName;
        var listError = Assert.Throws<DataFileException>(() => PublishedList.Load(list, NetworkParameters.Test));
        Assert.Equal(DataFileError.NotAFile, listError.Reason);
        Assert.Equal(list, listError.Path);
    }

    [Fact]
    public void A_lock_that_is_a_directory_is_refused()
    {
        var node = _directory.File("node");
        var lockPath = Directory.CreateDirectory(Path.Combine(node, DataDirectory.LockFileName)).FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(node, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var error = Assert.Throws<DataFileException>(() => DataDirectory.Open(node));

        Assert.Equal(DataFileError.NotAFile, error.Reason);
        Assert.Equal(lockPath, error.Path);
        Assert.True(Directory.Exists(lockPath));
    }

    [Theory]
    [InlineData(0b111_111_111)]
    [InlineData(0b111_111_101)]
    [InlineData(0b111_101_111)]
    public void An_existing_data_directory_others_can_write_in_is_refused_and_left_as_it_was(int mode)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var node = Directory.CreateDirectory(_directory.File("open")).FullName;
        File.SetUnixFileMode(node, (UnixFileMode)mode);

        var error = Assert.Throws<DataFileException>(() => DataDirectory.Open(node));

        Assert.Equal(DataFileError.InsecurePermissions, error.Reason);
        Assert.Equal(node, error.Path);
        Assert.Equal((UnixFileMode)mode, File.GetUnixFileMode(node));
        Assert.Empty(Directory.GetFileSystemEntries(node));
    }

    [Fact]
    public void An_existing_data_directory_only_readable_by_others_is_used()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var node = Directory.CreateDirectory(_directory.File("readable")).FullName;
        File.SetUnixFileMode(node, (UnixFileMode)0b111_101_101);

        using var directory = DataDirectory.Open(node);
        Assert.True(File.Exists(Path.Combine(node, DataDirectory.LockFileName)));
    }
}
