using System.Security.Cryptography;
using System.Text;
using Kademlia.Identity;
using Kademlia.Sqlite;

namespace Kademlia.Tests.Persistence;

public sealed class IdentityKeyFileTests : IDisposable
{
    private static readonly NetworkParameters Network = NetworkParameters.Test;

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void A_created_key_file_is_owner_only_and_loads_the_same_identity()
    {
        var path = _directory.File("keys/identity.key");
        using var created = IdentityKeyFile.LoadOrCreate(path, Network);
        Assert.True(created.MeetsProofOfWork(Network));
        Assert.Equal(IdentityKeyFile.FileSize, new FileInfo(path).Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        using var loaded = IdentityKeyFile.LoadOrCreate(path, Network);
        Assert.Equal(created.Id, loaded.Id);
        Assert.Equal(created.PowNonce, loaded.PowNonce);
        Assert.Equal(created.Export(), loaded.Export());
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void An_existing_key_file_is_never_overwritten()
    {
        var path = _directory.File("identity.key");
        using (IdentityKeyFile.LoadOrCreate(path, Network))
        {
        }

        var before = File.ReadAllBytes(path);
        for (var i = 0; i < 3; i++)
        {
            using var again = IdentityKeyFile.LoadOrCreate(path, Network);
        }

        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_cancelled_creation_writes_nothing()
    {
        var path = _directory.File("identity.key");
        Assert.ThrowsAny<OperationCanceledException>(() => IdentityKeyFile.LoadOrCreate(path, NetworkParameters.Default, null, new CancellationToken(canceled: true)));
        Assert.False(File.Exists(path));
    }

    public static TheoryData<string, KeyFileError> Damaged => new()
    {
        { "empty", KeyFileError.UnknownFormat },
        { "foreign", KeyFileError.UnknownFormat },
        { "huge", KeyFileError.UnknownFormat },
        { "version", KeyFileError.UnsupportedVersion },
        { "truncated", KeyFileError.Corrupt },
        { "extended", KeyFileError.Corrupt },
        { "flipped", KeyFileError.Corrupt },
        { "weak", KeyFileError.InsufficientProofOfWork },
    };

    [Theory]
    [MemberData(nameof(Damaged))]
    public void An_unusable_key_file_is_reported_and_left_byte_for_byte(string damage, KeyFileError reason)
    {
        var path = _directory.File("identity.key");
        var bytes = DamagedFile(damage);
        WriteOwnerOnly(path, bytes);
        var error = Assert.Throws<KeyFileException>(() => IdentityKeyFile.LoadOrCreate(path, Network));
        Assert.Equal(reason, error.Reason);
        Assert.Equal(path, error.Path);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_key_file_readable_by_others_is_refused_and_left_as_it_was()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var path = _directory.File("identity.key");
        using (IdentityKeyFile.LoadOrCreate(path, Network))
        {
        }

        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.SetUnixFileMode(path, mode);
        var before = File.ReadAllBytes(path);
        var error = Assert.Throws<KeyFileException>(() => IdentityKeyFile.LoadOrCreate(path, Network));
        Assert.Equal(KeyFileError.InsecurePermissions, error.Reason);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(mode, File.GetUnixFileMode(path));
    }

    private static byte[] DamagedFile(string damage)
    {
        using var good = ValidForTestNetwork();
        var valid = IdentityKeyFile.Encode(good);
        switch (damage)
        {
            case "empty":
                return [];
            case "foreign":
                return Encoding.ASCII.GetBytes("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n");
            case "huge":
                return [.. valid, .. new byte[8192]];
            case "version":
                valid[12] = 2;
                return valid;
            case "truncated":
                return valid[..^1];
            case "extended":
                return [.. valid, 0];
            case "flipped":
                valid[20] ^= 0x10;
                return valid;
            default:
                // An intact file whose identity fails the network's puzzles.
                using (var weak = Enumerable.Range(0, 100).Select(Seeded).First(i => !i.MeetsProofOfWork(Network)))
                {
                    return IdentityKeyFile.Encode(weak);
                }
        }
    }

    /// <summary>The first seeded identity that meets the static puzzle, with its dynamic nonce solved.</summary>
    private static NodeIdentity ValidForTestNetwork()
    {
        var seed = Enumerable.Range(0, 1000).Select(SeedOf).First(seed => ProofOfWork.MeetsStatic(NodeIdentity.FromPrivateSeed(seed, 0).Id, Network));
        using var unsolved = NodeIdentity.FromPrivateSeed(seed, 0);
        return NodeIdentity.FromPrivateSeed(seed, ProofOfWork.SolveDynamic(unsolved.Id, Network.DynamicDifficulty));
    }

    private static NodeIdentity Seeded(int index) => NodeIdentity.FromPrivateSeed(SeedOf(index), 0);

    private static byte[] SeedOf(int index) => SHA256.HashData(Encoding.ASCII.GetBytes($"key file test {index}"));

    private static void WriteOwnerOnly(string path, byte[] bytes)
    {
        File.WriteAllBytes(path, bytes);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
