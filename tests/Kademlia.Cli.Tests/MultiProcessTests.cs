namespace Kademlia.Cli.Tests;

/// <summary>Networks of separate <c>kad node</c> processes on loopback, driven with the <c>kad</c> commands.</summary>
public sealed class MultiProcessTests
{
    private static async Task<List<KadDaemon>> StartNetworkAsync(TempDirectory directory, int count)
    {
        var daemons = new List<KadDaemon>();
        try
        {
            daemons.Add(await KadDaemon.StartAsync(directory.Sub("node0")));
            // Half join through the full contact (IK), half through the bare address (XX).
            var address = daemons[0].Contact[(daemons[0].Contact.IndexOf('@', StringComparison.Ordinal) + 1)..];
            for (var i = 1; i < count; i++)
            {
                daemons.Add(await KadDaemon.StartAsync(directory.Sub($"node{i}"), [i % 2 == 1 ? daemons[0].Contact : address]));
            }

            return daemons;
        }
        catch
        {
            await StopAllAsync(daemons);
            throw;
        }
    }

    private static async Task StopAllAsync(List<KadDaemon> daemons)
    {
        foreach (var daemon in daemons)
        {
            await daemon.DisposeAsync();
        }
    }

    [Fact]
    public async Task Five_daemons_put_through_one_and_get_through_another()
    {
        using var directory = new TempDirectory();
        var daemons = await StartNetworkAsync(directory, 5);
        try
        {
            var put = Json.Of(await Kad.RunAsync("put", "five processes", "--json", "--data-dir", daemons[1].DataDirectory));
            Assert.True(put.GetProperty("stored").GetInt32() >= 1, put.ToString());
            var key = put.GetProperty("key").GetString()!;

            var got = await Kad.RunAsync("get", key, "--data-dir", daemons[4].DataDirectory);
            Assert.True(got.ExitCode == 0, got.ToString());
            Assert.Equal("five processes", got.Stdout.Trim());

            // A mutable record: the update is seen by a third daemon with its new sequence.
            var first = Json.Of(await Kad.RunAsync("put", "move 1", "--mutable", "--salt", "game", "--json", "--data-dir", daemons[2].DataDirectory));
            var second = Json.Of(await Kad.RunAsync("put", "move 2", "--mutable", "--salt", "game", "--json", "--data-dir", daemons[2].DataDirectory));
            Assert.Equal(first.GetProperty("sequence").GetUInt64() + 1, second.GetProperty("sequence").GetUInt64());
            var latest = Json.Of(await Kad.RunAsync("get", second.GetProperty("key").GetString()!, "--mutable", "--json", "--data-dir", daemons[3].DataDirectory));
            Assert.Equal("move 2", latest.GetProperty("text").GetString());

            // Providers: announced through one daemon, listed through another, data included.
            Assert.Equal(0, (await Kad.RunAsync("announce", "lobby", "--data", "table 7", "--data-dir", daemons[0].DataDirectory)).ExitCode);
            var providers = await Kad.RunAsync("providers", "lobby", "--data-dir", daemons[4].DataDirectory);
            Assert.True(providers.ExitCode == 0, providers.ToString());
            Assert.Contains($"{daemons[0].Contact}\ttable 7", providers.Stdout, StringComparison.Ordinal);

            // Status lists the peers with what the node measured of them, and what it publishes itself.
            var status = Json.Of(await Kad.RunAsync("status", "--json", "--data-dir", daemons[0].DataDirectory)).GetProperty("status");
            var peers = status.GetProperty("contacts").EnumerateArray().ToList();
            Assert.Equal(status.GetProperty("tableSize").GetInt32(), peers.Count);
            Assert.Contains(peers, p => p.GetProperty("rttMs").ValueKind == System.Text.Json.JsonValueKind.Number && p.GetProperty("rttMs").GetDouble() > 0);
            Assert.All(peers, p => Assert.InRange(p.GetProperty("bucket").GetInt32(), 0, 255));
            var published = status.GetProperty("published").EnumerateArray().ToList();
            Assert.Contains(published, r => r.GetProperty("kind").GetString() == "announcement");
            var view = await Kad.RunAsync("status", "--data-dir", daemons[0].DataDirectory);
            Assert.True(view.ExitCode == 0, view.ToString());
            Assert.Contains("peers (closest buckets first", view.Stdout, StringComparison.Ordinal);
            Assert.Contains("published by this node", view.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await StopAllAsync(daemons);
        }
    }

    /// <summary>Issue 5: three separate OS processes on loopback find each other and exchange a value.</summary>
    [Fact]
    public async Task Three_processes_find_each_other_and_exchange_a_value()
    {
        using var directory = new TempDirectory();
        var daemons = await StartNetworkAsync(directory, 3);
        try
        {
            foreach (var asker in daemons)
            {
                foreach (var other in daemons.Where(d => d != asker))
                {
                    var found = Json.Of(await Kad.RunAsync("find", other.Id, "--json", "--data-dir", asker.DataDirectory));
                    Assert.Equal(other.Id, found.GetProperty("closest")[0].GetProperty("id").GetString());
                }
            }

            var key = Json.Of(await Kad.RunAsync("put", "hello from process 3", "--json", "--data-dir", daemons[2].DataDirectory)).GetProperty("key").GetString()!;
            foreach (var reader in daemons.Take(2))
            {
                var got = await Kad.RunAsync("get", key, "--data-dir", reader.DataDirectory);
                Assert.True(got.ExitCode == 0, got.ToString());
                Assert.Equal("hello from process 3", got.Stdout.Trim());
            }

            // One-shot: a fourth, short-lived process joins through the bare address and reads it too.
            var address = daemons[0].Contact[(daemons[0].Contact.IndexOf('@', StringComparison.Ordinal) + 1)..];
            var oneShot = await Kad.RunAsync("get", key, "--bootstrap", address, "--network", "test");
            Assert.True(oneShot.ExitCode == 0, oneShot.ToString());
            Assert.Equal("hello from process 3", oneShot.Stdout.Trim());
        }
        finally
        {
            await StopAllAsync(daemons);
        }
    }
}
