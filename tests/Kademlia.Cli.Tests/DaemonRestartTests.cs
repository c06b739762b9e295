namespace Kademlia.Cli.Tests;

/// <summary>A daemon stopped with SIGTERM and started again keeps its identity, its records and its routing table.</summary>
public sealed class DaemonRestartTests
{
    [Fact]
    public async Task A_restarted_daemon_keeps_identity_records_and_table_and_rejoins_without_its_bootstrap()
    {
        using var directory = new TempDirectory();
        await using var seed = await KadDaemon.StartAsync(directory.Sub("seed"));
        var dataDirectory = directory.Sub("node");
        string id, contact, key;
        await using (var node = await KadDaemon.StartAsync(dataDirectory, [seed.Contact]))
        {
            id = node.Id;
            contact = node.Contact;
            key = Json.Of(await Kad.RunAsync("put", "kept across restarts", "--json", "--data-dir", dataDirectory)).GetProperty("key").GetString()!;

            Assert.Equal(0, await node.StopAsync());
            Assert.Contains("stopped: saved", node.Output, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(Path.Combine(dataDirectory, "control.json")), "a clean stop removes the control file");
        Assert.True(File.Exists(Path.Combine(dataDirectory, "routing.snapshot")));

        // No --bootstrap: the saved table is the only way back in.
        await using var restarted = await KadDaemon.StartAsync(dataDirectory);
        Assert.Equal(id, restarted.Id);
        Assert.Equal(contact[..contact.IndexOf('@', StringComparison.Ordinal)], restarted.Contact[..restarted.Contact.IndexOf('@', StringComparison.Ordinal)]);

        // Read before any lookup could fetch the value again: it came from the database.
        var status = Json.Of(await Kad.RunAsync("status", "--json", "--data-dir", dataDirectory)).GetProperty("status");
        Assert.True(status.GetProperty("values").GetInt32() >= 1, status.ToString());
        Assert.True(status.GetProperty("tableSize").GetInt32() >= 1, status.ToString());
        var seedEndpoint = seed.Contact[(seed.Contact.IndexOf('@', StringComparison.Ordinal) + 1)..];
        Assert.Contains(status.GetProperty("contacts").EnumerateArray(), c => c.GetProperty("id").GetString() == seed.Id && c.GetProperty("endpoint").GetString() == seedEndpoint);

        var found = Json.Of(await Kad.RunAsync("find", seed.Id, "--json", "--data-dir", dataDirectory));
        Assert.Contains(found.GetProperty("closest").EnumerateArray(), n => n.GetProperty("id").GetString() == seed.Id);
        var got = Json.Of(await Kad.RunAsync("get", key, "--json", "--data-dir", dataDirectory));
        Assert.Equal("kept across restarts", got.GetProperty("text").GetString());
    }

    [Fact]
    public async Task What_a_daemon_publishes_is_saved_at_once_survives_a_kill_and_is_restored()
    {
        using var directory = new TempDirectory();
        await using var seed = await KadDaemon.StartAsync(directory.Sub("seed"));
        var dataDirectory = directory.Sub("node");
        var listPath = Path.Combine(dataDirectory, "published.list");
        await using (var node = await KadDaemon.StartAsync(dataDirectory, [seed.Contact]))
        {
            var put = await Kad.RunAsync("put", "republished after a restart", "--data-dir", dataDirectory);
            Assert.True(put.ExitCode == 0, put.ToString());
            var announce = await Kad.RunAsync("announce", "lobby", "--data", "table 7", "--data-dir", dataDirectory);
            Assert.True(announce.ExitCode == 0, announce.ToString());

            // Saved on the change, not at stop: the daemon is killed (SIGKILL) once the file holds both.
            var network = Kademlia.Identity.NetworkParameters.Test;
            using var guard = new CancellationTokenSource(Kad.Guard);
            while (!File.Exists(listPath) || Kademlia.Sqlite.PublishedList.Load(listPath, network).Count < 2)
            {
                await Task.Delay(50, guard.Token);
            }
        }

        await using var restarted = await KadDaemon.StartAsync(dataDirectory, [seed.Contact]);
        Assert.Contains("published: 2 restored of 2 saved", restarted.Output, StringComparison.Ordinal);
        Assert.Equal(0, await restarted.StopAsync());
        Assert.Equal(2, Kademlia.Sqlite.PublishedList.Load(listPath, Kademlia.Identity.NetworkParameters.Test).Count);
    }

    [Fact]
    public async Task A_damaged_published_list_stops_the_start_and_is_left_untouched()
    {
        using var directory = new TempDirectory();
        var dataDirectory = directory.Sub("node");
        Directory.CreateDirectory(dataDirectory);
        if (!OperatingSystem.IsWindows())
        {
            // As kad creates it: under umask 002 a group-writable directory would be refused first.
            File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var listPath = Path.Combine(dataDirectory, "published.list");
        await File.WriteAllTextAsync(listPath, "KDPB damaged beyond repair, not to be overwritten");

        var result = await Kad.RunAsync("node", "--network", "test", "--bind", "127.0.0.1", "--port", "0", "--data-dir", dataDirectory);

        Assert.True(result.ExitCode == 8, result.ToString()); // the damaged-file code
        Assert.Contains("published.list", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("KDPB damaged beyond repair, not to be overwritten", await File.ReadAllTextAsync(listPath));
    }
}
