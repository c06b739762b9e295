using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Kademlia.Cli.Tests;

/// <summary>Issue 11, item 7: <c>kad node</c> waits for a bootstrap that is not up yet instead of exiting.</summary>
public sealed class JoinRetryTests
{
    /// <summary>A UDP port nothing listens on (bound, then released) for the seed to take later.</summary>
    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    [Fact]
    public async Task A_daemon_whose_bootstrap_is_down_retries_and_joins_when_it_comes_up()
    {
        using var directory = new TempDirectory();
        var port = FreeUdpPort();
        await using var b = await KadDaemon.LaunchAsync(directory.Sub("b"), [$"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"]);

        // Three failed attempts (about ten seconds on the test network), each logged with the wait
        // before the next: B is retrying, not gone.
        await b.WaitForErrorLineAsync("Join attempt 1: none of");
        await b.WaitForErrorLineAsync("Join attempt 3: none of");
        Assert.False(b.HasExited, b.Output + b.Errors);
        Assert.DoesNotContain("ready:", b.Output, StringComparison.Ordinal);

        // The seed comes up on the address B was given; B joins on a later attempt, same process.
        await using var a = await KadDaemon.StartAsync(directory.Sub("a"), port: port);
        var ready = await b.WaitForLineAsync("ready: ");
        Assert.Matches("^ready: [1-9][0-9]* contacts", ready);

        var put = Json.Of(await Kad.RunAsync("put", "after the seed came back", "--json", "--data-dir", b.DataDirectory));
        Assert.True(put.GetProperty("stored").GetInt32() >= 1, put.ToString());
        var got = await Kad.RunAsync("get", put.GetProperty("key").GetString()!, "--data-dir", a.DataDirectory);
        Assert.True(got.ExitCode == 0, got.ToString());
        Assert.Equal("after the seed came back", got.Stdout.Trim());

        Assert.Equal(0, await b.StopAsync());
    }

    [Fact]
    public async Task A_daemon_waiting_for_its_bootstrap_stops_cleanly_on_SIGTERM()
    {
        using var directory = new TempDirectory();
        await using var waiting = await KadDaemon.LaunchAsync(directory.Sub("waiting"), [$"127.0.0.1:{FreeUdpPort().ToString(CultureInfo.InvariantCulture)}"]);
        await waiting.WaitForErrorLineAsync("Join attempt 1: none of");

        Assert.Equal(0, await waiting.StopAsync());
        Assert.Contains("stopped:", waiting.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("ready:", waiting.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_restarted_daemon_whose_saved_contacts_are_down_keeps_retrying_them()
    {
        using var directory = new TempDirectory();
        var port = FreeUdpPort();
        var aDirectory = directory.Sub("a");
        var bDirectory = directory.Sub("b");
        await using (var a = await KadDaemon.StartAsync(aDirectory, port: port))
        await using (var b = await KadDaemon.StartAsync(bDirectory, [a.Contact]))
        {
            Assert.Equal(0, await b.StopAsync()); // saves A as its only contact
            Assert.Equal(0, await a.StopAsync());
        }

        // B comes back without --bootstrap while A is down: ready (others may find it), and retrying.
        await using var restarted = await KadDaemon.StartAsync(bDirectory, logLevel: "Information");
        Assert.Contains("ready: 0 contacts", restarted.Output, StringComparison.Ordinal);
        await restarted.WaitForErrorLineAsync("Join attempt 1: none of");

        // A comes back on its address with its identity but no memory of B, so only B's retry can
        // bring the two together.
        File.Delete(Path.Combine(aDirectory, "routing.snapshot"));
        await using var seed = await KadDaemon.StartAsync(aDirectory, port: port);
        await restarted.WaitForErrorLineAsync("Rejoined through the saved contacts");

        var put = Json.Of(await Kad.RunAsync("put", "rejoined", "--json", "--data-dir", bDirectory));
        Assert.True(put.GetProperty("stored").GetInt32() >= 1, put.ToString());
        var got = await Kad.RunAsync("get", put.GetProperty("key").GetString()!, "--data-dir", aDirectory);
        Assert.True(got.ExitCode == 0, got.ToString());
        Assert.Equal("rejoined", got.Stdout.Trim());
    }
}
