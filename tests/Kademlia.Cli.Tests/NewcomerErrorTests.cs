using System.Net;
using System.Net.Sockets;

using static Kademlia.Cli.Tests.KadAssert;

namespace Kademlia.Cli.Tests;

/// <summary>
/// Issue 16 item 7, the newcomer's table: each failure names its cause in one line with its own exit code
/// (README, "Exit codes"), and the daemon's output reads well when piped.
/// </summary>
public sealed class NewcomerErrorTests(OneDaemon fixture) : IClassFixture<OneDaemon>
{
    private const string SomeKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";


    /// <summary>A directory only its owner may write in, as a data directory must be.</summary>
    private string PrivateDirectory(string name)
    {
        var path = fixture.Directory.Sub(name);
        Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    [Fact]
    public async Task The_data_directory_remembers_its_network_and_refuses_another_with_exit_13()
    {
        Assert.Equal("test", (await File.ReadAllTextAsync(Path.Combine(fixture.Daemon.DataDirectory, "network"))).Trim());

        var directory = PrivateDirectory("test-network");
        await File.WriteAllTextAsync(Path.Combine(directory, "network"), "test\n");
        var run = await Kad.RunAsync("node", "--network", "default", "--bind", "127.0.0.1", "--data-dir", directory);
        AssertOneLine(run, 13, "belongs to network 'test', not 'default'");
        Assert.False(File.Exists(Path.Combine(directory, "identity.key")), "nothing is created in a directory of another network");
    }

    [Fact]
    public async Task A_one_shot_on_another_network_hears_nothing_and_the_daemon_names_the_mismatch()
    {
        var address = fixture.Daemon.Contact[(fixture.Daemon.Contact.IndexOf('@', StringComparison.Ordinal) + 1)..];
        var run = await Kad.RunAsync("get", SomeKey, "--bootstrap", address, "--network", "default", "--timeout", "60");
        AssertOneLine(run, 3, "different --network");
        var warning = await fixture.Daemon.WaitForErrorLineAsync("another network");
        Assert.Contains("kademlia-test", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_directory_that_is_a_file_exits_12_with_a_plain_line()
    {
        var file = fixture.Directory.Sub("a-file");
        await File.WriteAllTextAsync(file, "not a directory");
        var run = await Kad.RunAsync("node", "--network", "test", "--bind", "127.0.0.1", "--data-dir", file);
        AssertOneLine(run, 12, file);
        Assert.DoesNotContain("Exception", run.Stderr, StringComparison.Ordinal);

        var below = await Kad.RunAsync("node", "--network", "test", "--bind", "127.0.0.1", "--data-dir", Path.Combine(file, "sub"));
        AssertOneLine(below, 12, "a-file");
    }

    [Fact]
    public void File_system_refusals_map_to_exit_12_and_other_errors_do_not()
    {
        var (code, message) = KadInvocation.Describe(new UnauthorizedAccessException("Access to the path '/srv/kad' is denied."));
        Assert.Equal(12, code);
        Assert.Equal("permission denied: Access to the path '/srv/kad' is denied", message);
        Assert.Equal(12, KadInvocation.Describe(new IOException("Read-only file system : '/srv/kad'", 30)).Code);
        Assert.Equal(12, KadInvocation.Describe(new DirectoryNotFoundException("Could not find a part of the path '/srv/kad'.")).Code);
        Assert.Equal(70, KadInvocation.Describe(new IOException("Broken pipe", 32)).Code);
    }

    [Fact]
    public async Task A_busy_control_port_is_named_as_such_and_exits_9()
    {
        var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            var port = ((IPEndPoint)taken.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var run = await Kad.RunAsync("node", "--network", "test", "--bind", "127.0.0.1", "--data-dir", PrivateDirectory("busy-control"), "--control-port", port, "--log-level", "Warning");
            AssertOneLine(run, 9, $"control port 127.0.0.1:{port}");
        }
        finally
        {
            taken.Stop();
        }
    }

    [Fact]
    public async Task A_miss_on_a_key_held_as_the_other_kind_says_so()
    {
        var put = await Kad.RunAsync("put", $"kind {Guid.NewGuid():N}", "--data-dir", fixture.Daemon.DataDirectory);
        var key = put.Stdout.Trim();
        Assert.Matches("^[0-9a-f]{64}$", key);

        var run = await Kad.RunAsync("get", key, "--mutable", "--data-dir", fixture.Daemon.DataDirectory);
        AssertOneLine(run, 1, "but an immutable value is there");

        var json = await Kad.RunAsync("get", key, "--mutable", "--json", "--data-dir", fixture.Daemon.DataDirectory);
        Assert.Contains("\"otherKind\":\"immutable\"", json.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_of_a_lone_node_hints_at_bootstrap_and_never_wraps_its_contact_when_piped()
    {
        var run = await Kad.RunAsync("status", "--data-dir", fixture.Daemon.DataDirectory);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(run.Stdout.Split('\n'), line => line.Contains(fixture.Daemon.Contact, StringComparison.Ordinal));
        Assert.Contains("hint: the routing table is empty", run.Stdout, StringComparison.Ordinal);
    }
}
