using Kademlia.Sqlite;

namespace Kademlia.Tests.Persistence;

public sealed class DataDirectoryTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void A_held_data_directory_cannot_be_opened_again_until_released()
    {
        var path = _directory.File("node");
        using (var first = DataDirectory.Open(path))
        {
            Assert.True(File.Exists(Path.Combine(path, DataDirectory.LockFileName)));
            var error = Assert.Throws<DataDirectoryLockedException>(() => DataDirectory.Open(path));
            Assert.Equal(first.Path, error.Path);
        }

        using var again = DataDirectory.Open(path);
        Assert.Equal(Path.Combine(again.Path, "identity.key"), again.IdentityKeyPath);
    }

    [Fact]
    public void A_new_data_directory_is_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var path = _directory.File("fresh");
        using var directory = DataDirectory.Open(path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(path));
    }
}
