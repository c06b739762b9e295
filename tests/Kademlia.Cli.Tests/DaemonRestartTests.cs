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
}
