using System.Net;
using System.Net.Sockets;
using Kademlia.Identity;
using Kademlia.Sqlite;

using static Kademlia.Cli.Tests.KadAssert;

namespace Kademlia.Cli.Tests;

/// <summary>One running daemon (the first node of its own network) for the error paths that need one.</summary>
public sealed class OneDaemon : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();

    internal KadDaemon Daemon { get; private set; } = null!;

    internal TempDirectory Directory => _directory;

    public async Task InitializeAsync() => Daemon = await KadDaemon.StartAsync(_directory.Sub("daemon"));

    public async Task DisposeAsync()
    {
        await Daemon.DisposeAsync();
        _directory.Dispose();
    }
}

/// <summary>
/// Every failure the user can cause ends with one line on stderr, starting "kad: ", no stack trace,
/// and its own exit code (README, "Exit codes").
/// </summary>
public sealed class ErrorPathTests(OneDaemon fixture) : IClassFixture<OneDaemon>
{
    private const string SomeKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";


    /// <summary>A UDP port nothing listens on (bound, then released).</summary>
    private static int ClosedUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    [Fact]
    public async Task Bad_arguments_exit_2()
    {
        AssertOneLine(await Kad.RunAsync("get", "not-a-key"), 2, "64 hex digits");
        AssertOneLine(await Kad.RunAsync("node", "--port", "99999"), 2, "--port");
        AssertOneLine(await Kad.RunAsync("frobnicate"), 2, "frobnicate");
        AssertOneLine(await Kad.RunAsync("node", "--port", "x"), 2, "--port");
    }

    [Fact]
    public async Task An_unknown_command_suggests_the_nearest_one()
    {
        AssertOneLine(await Kad.RunAsync("stauts"), 2, "did you mean 'status'?");
        AssertOneLine(await Kad.RunAsync("anounce", "x"), 2, "did you mean 'announce'?");
        var unrelated = await Kad.RunAsync("xyzzy");
        AssertOneLine(unrelated, 2, "xyzzy");
        Assert.DoesNotContain("did you mean", unrelated.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_malformed_contact_key_exits_2_as_a_bad_contact_key_not_an_unresolvable_host()
    {
        var address = $"127.0.0.1:{ClosedUdpPort()}";
        AssertOneLine(await Kad.RunAsync("get", SomeKey, "--bootstrap", $"abc.1@{address}", "--network", "test"), 2, "bad contact key");
        AssertOneLine(await Kad.RunAsync("ping", $"{new string('z', 64)}.1@{address}", "--data-dir", fixture.Daemon.DataDirectory), 2, "bad contact key");
        AssertOneLine(await Kad.RunAsync("node", "--network", "test", "--data-dir", fixture.Directory.Sub("never"), "--bootstrap", $"{new string('a', 64)}.xyz@{address}"), 2, "bad contact key");
        AssertOneLine(await Kad.RunAsync("get", SomeKey, "--bootstrap", $"{new string('a', 64)}.1@nowhere", "--network", "test"), 2, "bad address");
    }

    [Fact]
    public async Task A_put_on_a_node_that_knows_no_other_says_it_is_stored_locally_only()
    {
        // The fixture's daemon is the first node of its own network: nobody else to store on.
        var run = await Kad.RunAsync("put", $"lonely {Guid.NewGuid():N}", "--data-dir", fixture.Daemon.DataDirectory);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Matches("^[0-9a-f]{64}$", run.Stdout.Trim());
        Assert.Contains(run.ErrorLines, l => l.StartsWith("kad: stored locally only", StringComparison.Ordinal));
        Assert.DoesNotContain("no node stored", run.Stderr, StringComparison.Ordinal);
    }

    /// <summary>One-shot commands give up with code 3; the daemon waits instead (<see cref="JoinRetryTests"/>).</summary>
    [Fact]
    public async Task Announcing_with_no_address_others_can_reach_exits_11()
    {
        // On the default network a node bound to loopback advertises nothing: nobody else could reach 127.0.0.1.
        var directory = fixture.Directory.Sub("default-network");
        await using var lonely = await KadDaemon.StartAsync(directory, network: "default");
        var run = await Kad.RunAsync("announce", "a-table", "--data-dir", directory);
        AssertOneLine(run, 11, "--advertise");
    }

    [Fact]
    public async Task An_unreachable_bootstrap_exits_3_one_shot()
    {
        var seed = $"127.0.0.1:{ClosedUdpPort()}";
        AssertOneLine(await Kad.RunAsync("get", SomeKey, "--bootstrap", seed, "--network", "test"), 3, "bootstrap unreachable");
    }

    [Fact]
    public async Task A_missing_data_directory_exits_4()
    {
        var missing = fixture.Directory.Sub("missing");
        AssertOneLine(await Kad.RunAsync("status", "--data-dir", missing), 4, "does not exist");
        AssertOneLine(await Kad.RunAsync("id", "--data-dir", missing, "--network", "test"), 4, "does not exist");
    }

    [Fact]
    public async Task A_locked_data_directory_exits_5()
    {
        var run = await Kad.RunAsync("node", "--network", "test", "--bind", "127.0.0.1", "--data-dir", fixture.Daemon.DataDirectory, "--log-level", "None");
        AssertOneLine(run, 5, "in use by another process");
    }

    [Fact]
    public async Task No_daemon_exits_6_for_an_empty_directory_and_for_a_stale_control_file()
    {
        var empty = Directory.CreateDirectory(fixture.Directory.Sub("empty")).FullName;
        AssertOneLine(await Kad.RunAsync("get", SomeKey, "--data-dir", empty), 6, "no daemon running");

        // What a crashed daemon leaves: a control file naming a port nobody listens on.
        var stale = Directory.CreateDirectory(fixture.Directory.Sub("stale")).FullName;
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        await File.WriteAllTextAsync(Path.Combine(stale, "control.json"), $"{{\"endpoint\":\"127.0.0.1:{port}\",\"token\":\"{new string('0', 64)}\",\"pid\":1}}");
        AssertOneLine(await Kad.RunAsync("status", "--data-dir", stale), 6, "no daemon answers");
    }

    [Fact]
    public async Task A_wrong_token_exits_7_and_the_daemon_keeps_serving()
    {
        var real = await File.ReadAllTextAsync(Path.Combine(fixture.Daemon.DataDirectory, "control.json"));
        var token = real.Split("\"token\":\"")[1][..64];
        var forged = Directory.CreateDirectory(fixture.Directory.Sub("forged")).FullName;
        await File.WriteAllTextAsync(Path.Combine(forged, "control.json"), real.Replace(token, new string('a', 64), StringComparison.Ordinal));

        AssertOneLine(await Kad.RunAsync("status", "--data-dir", forged), 7, "token");
        var honest = await Kad.RunAsync("status", "--json", "--data-dir", fixture.Daemon.DataDirectory);
        Assert.True(honest.ExitCode == 0, honest.ToString());
    }

    [Fact]
    public async Task A_damaged_key_file_exits_8_and_is_left_untouched()
    {
        var directory = OwnerOnlyDirectory("damaged");
        var key = Path.Combine(directory, "identity.key");
        var garbage = "this is not a key file"u8.ToArray();
        await File.WriteAllBytesAsync(key, garbage);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var run = await Kad.RunAsync("node", "--network", "test", "--bind", "127.0.0.1", "--data-dir", directory, "--log-level", "None");
        AssertOneLine(run, 8, "identity key file");
        Assert.Equal(garbage, await File.ReadAllBytesAsync(key));
        AssertOneLine(await Kad.RunAsync("id", "--data-dir", directory, "--network", "test"), 8, "identity key file");
    }

    /// <summary>A data directory as <c>kad node</c> would create it: owner-only.</summary>
    private string OwnerOnlyDirectory(string name)
    {
        var directory = Directory.CreateDirectory(fixture.Directory.Sub(name)).FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return directory;
    }

    private static Task<KadRun> RunNodeAsync(string directory) =>
        Kad.RunAsync("node", "--network", "test", "--bind", "127.0.0.1", "--data-dir", directory, "--log-level", "None");

    [Fact]
    public async Task A_record_database_with_damaged_pages_exits_8_and_is_left_untouched()
    {
        // Header and schema intact, the first table page garbage: SQLite says "database disk image is
        // malformed" only when the rows are read (issue 12 item 11: was exit 70).
        var directory = OwnerOnlyDirectory("damaged-pages");
        var records = Path.Combine(directory, "records.db");
        SqliteRecordStore.Open(records, NodeId.Zero, DateTimeOffset.UnixEpoch).Dispose();
        var bytes = await File.ReadAllBytesAsync(records);
        bytes.AsSpan(4096, 4096).Fill(0xFF);
        await File.WriteAllBytesAsync(records, bytes);

        var run = await RunNodeAsync(directory);

        AssertOneLine(run, 8, records);
        Assert.Contains("malformed", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(records));
    }

    [Fact]
    public async Task A_record_database_lock_key_file_or_published_list_that_is_a_directory_exits_8()
    {
        var withRecords = OwnerOnlyDirectory("records-is-a-directory");
        var records = Directory.CreateDirectory(Path.Combine(withRecords, "records.db")).FullName;
        AssertOneLine(await RunNodeAsync(withRecords), 8, records);
        Assert.True(Directory.Exists(records));

        var withLock = OwnerOnlyDirectory("lock-is-a-directory");
        var lockPath = Directory.CreateDirectory(Path.Combine(withLock, DataDirectory.LockFileName)).FullName;
        AssertOneLine(await RunNodeAsync(withLock), 8, lockPath);
        AssertOneLine(await Kad.RunAsync("id", "--data-dir", withLock, "--network", "test", "--create"), 8, lockPath);
        Assert.True(Directory.Exists(lockPath));

        var withKey = OwnerOnlyDirectory("key-is-a-directory");
        var key = Directory.CreateDirectory(Path.Combine(withKey, "identity.key")).FullName;
        AssertOneLine(await RunNodeAsync(withKey), 8, key);
        AssertOneLine(await Kad.RunAsync("id", "--data-dir", withKey, "--network", "test"), 8, key);
        Assert.True(Directory.Exists(key));

        var withList = OwnerOnlyDirectory("published-list-is-a-directory");
        var list = Directory.CreateDirectory(Path.Combine(withList, "published.list")).FullName;
        AssertOneLine(await RunNodeAsync(withList), 8, list);
        Assert.True(Directory.Exists(list));
    }

    [Fact]
    public async Task A_data_directory_others_can_write_in_exits_8_and_is_left_as_it_was()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var directory = Directory.CreateDirectory(fixture.Directory.Sub("world-writable")).FullName;
        var open = (UnixFileMode)0b111_111_111;
        File.SetUnixFileMode(directory, open);

        AssertOneLine(await RunNodeAsync(directory), 8, $"data directory {directory} not used");
        AssertOneLine(await Kad.RunAsync("id", "--data-dir", directory, "--network", "test", "--create"), 8, "writable by other users");
        Assert.Equal(open, File.GetUnixFileMode(directory));
        Assert.Empty(Directory.GetFileSystemEntries(directory));
    }

    [Fact]
    public async Task A_port_in_use_exits_9()
    {
        var port = fixture.Daemon.Contact[(fixture.Daemon.Contact.LastIndexOf(':') + 1)..];
        var run = await Kad.RunAsync("node", "--network", "test", "--bind", "127.0.0.1", "--port", port, "--data-dir", fixture.Directory.Sub("second"), "--log-level", "None");
        AssertOneLine(run, 9, "cannot bind");
    }

    [Fact]
    public async Task A_daemon_that_never_answers_exits_10_after_the_timeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var directory = Directory.CreateDirectory(fixture.Directory.Sub("silent")).FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "control.json"), $"{{\"endpoint\":\"{silent.LocalEndpoint}\",\"token\":\"{new string('0', 64)}\",\"pid\":1}}");
        AssertOneLine(await Kad.RunAsync("status", "--data-dir", directory, "--timeout", "1"), 10, "--timeout");
    }

    [Fact]
    public async Task A_value_nobody_stored_exits_1()
    {
        AssertOneLine(await Kad.RunAsync("get", SomeKey, "--data-dir", fixture.Daemon.DataDirectory), 1, "no value found");
    }

    [Fact]
    public async Task Help_lists_the_exit_codes()
    {
        var run = await Kad.RunAsync("--help");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Exit codes:", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("control token refused", run.Stdout, StringComparison.Ordinal);
    }
}
