using System.Net;
using System.Net.Sockets;
using Kademlia.Mainline;

using static Kademlia.Cli.Tests.KadAssert;

namespace Kademlia.Cli.Tests;

/// <summary>A small Mainline network of in-process nodes on loopback for <c>kad mainline</c> to join.</summary>
public sealed class MainlineNetworkFixture : IAsyncLifetime
{
    public List<MainlineDhtNode> Nodes { get; } = [];

    public string Bootstrap => $"127.0.0.1:{Nodes[0].LocalEndpoint.Port}";

    public async Task InitializeAsync()
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        for (var i = 0; i < 6; i++)
        {
            var node = await MainlineDhtNode.StartAsync(new MainlineDhtNodeOptions
            {
                Bind = new IPEndPoint(IPAddress.Loopback, 0),
                Engine = new MainlineEngineOptions { ExemptLoopbackFromDiversityLimits = true },
            }, budget.Token);
            Nodes.Add(node);
            if (i > 0) await node.BootstrapAsync([Nodes[0].LocalEndpoint], budget.Token);
        }

        foreach (var node in Nodes) await node.FindNodeAsync(node.Id, budget.Token);
    }

    public async Task DisposeAsync()
    {
        foreach (var node in Nodes) await node.DisposeAsync();
    }
}

/// <summary><c>kad mainline</c> against a loopback Mainline network: every subcommand, its JSON and its failures.</summary>
public sealed class MainlineCommandTests(MainlineNetworkFixture network) : IClassFixture<MainlineNetworkFixture>
{
    private string[] Args(params string[] args) => ["mainline", .. args, "--bootstrap", network.Bootstrap, "--bind", "127.0.0.1"];


    [Fact]
    public async Task Announce_then_get_peers_finds_the_announced_port()
    {
        var infoHash = Convert.ToHexStringLower(MainlineId.Sha1("cli torrent"u8).ToArray());

        var announce = Json.Of(await Kad.RunAsync(Args("announce", infoHash, "--peer-port", "51413", "--json")));
        var peers = Json.Of(await Kad.RunAsync(Args("get-peers", infoHash, "--json")));

        Assert.True(announce.GetProperty("stored").GetInt32() > 0);
        Assert.Contains("127.0.0.1:51413", peers.GetProperty("peers").EnumerateArray().Select(p => p.GetString()));
        Assert.True(peers.GetProperty("queries").GetInt32() > 0);
    }

    [Fact]
    public async Task Put_prints_the_target_and_get_prints_the_value()
    {
        var put = await Kad.RunAsync(Args("put", "hello mainline"));
        Assert.True(put.ExitCode == 0, put.ToString());
        var target = put.Stdout.Trim();

        var get = await Kad.RunAsync(Args("get", target));

        Assert.Equal(Convert.ToHexStringLower(MainlineId.Sha1("14:hello mainline"u8).ToArray()), target);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal("hello mainline", get.Stdout.Trim());
    }

    [Fact]
    public async Task Keygen_put_mutable_and_get_mutable_follow_the_sequence_under_a_salt()
    {
        using var directory = new TempDirectory();
        var keyFile = Path.Combine(directory.Path, "pkarr.key");
        var keygen = Json.Of(await Kad.RunAsync("mainline", "keygen", keyFile, "--json"));
        var publicKey = keygen.GetProperty("publicKey").GetString()!;

        var first = Json.Of(await Kad.RunAsync(Args("put-mutable", "first", "--key", keyFile, "--salt", "profile", "--json")));
        var second = Json.Of(await Kad.RunAsync(Args("put-mutable", "second", "--key", keyFile, "--salt", "profile", "--json")));
        var got = Json.Of(await Kad.RunAsync(Args("get-mutable", publicKey, "--salt", "profile", "--json")));
        var otherSalt = await Kad.RunAsync(Args("get-mutable", publicKey, "--salt", "other"));

        Assert.Equal(64, publicKey.Length);
        Assert.Equal(1, first.GetProperty("seq").GetInt64());
        Assert.Equal(2, second.GetProperty("seq").GetInt64());
        Assert.Equal("second", got.GetProperty("value").GetString());
        Assert.Equal(2, got.GetProperty("seq").GetInt64());
        Assert.Equal(first.GetProperty("target").GetString(), got.GetProperty("target").GetString());
        AssertOneLine(otherSalt, ExitCodes.NotFound, "no item found");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }
    }

    [Fact]
    public async Task A_stale_cas_is_refused_with_301_on_one_line()
    {
        using var directory = new TempDirectory();
        var keyFile = Path.Combine(directory.Path, "k");
        Assert.Equal(0, (await Kad.RunAsync("mainline", "keygen", keyFile)).ExitCode);
        var first = await Kad.RunAsync(Args("put-mutable", "one", "--key", keyFile, "--seq", "5"));
        Assert.True(first.ExitCode == 0, first.ToString());

        var stale = await Kad.RunAsync(Args("put-mutable", "two", "--key", keyFile, "--seq", "6", "--cas", "4"));

        AssertOneLine(stale, ExitCodes.NotFound, "301");
    }

    [Fact]
    public async Task Nothing_found_exits_1_with_one_line()
    {
        var missing = Convert.ToHexStringLower(MainlineId.Sha1("never stored"u8).ToArray());

        AssertOneLine(await Kad.RunAsync(Args("get", missing)), ExitCodes.NotFound, "no item found");
        AssertOneLine(await Kad.RunAsync(Args("get-peers", missing)), ExitCodes.NotFound, "no peers found");
    }

    [Fact]
    public async Task A_silent_bootstrap_exits_3_with_one_line()
    {
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)silent.LocalEndPoint!).Port;

        var run = await Kad.RunAsync("mainline", "get", new string('a', 40), "--bootstrap", $"127.0.0.1:{port}", "--bind", "127.0.0.1");

        AssertOneLine(run, ExitCodes.BootstrapUnreachable, "no bootstrap node answered");
    }

    [Fact]
    public async Task Bad_arguments_and_key_files_exit_2_with_one_line()
    {
        using var directory = new TempDirectory();
        var existing = Path.Combine(directory.Path, "exists");
        await File.WriteAllTextAsync(existing, "x");

        AssertOneLine(await Kad.RunAsync(Args("get-peers", "xyz")), ExitCodes.Usage, "40 hex digits");
        AssertOneLine(await Kad.RunAsync("mainline", "keygen", existing), ExitCodes.Usage, "never overwritten");
        AssertOneLine(await Kad.RunAsync(Args("put-mutable", "v", "--key", Path.Combine(directory.Path, "none"))), ExitCodes.Usage, "does not exist");
        AssertOneLine(await Kad.RunAsync(Args("put-mutable", "v", "--key", existing)), ExitCodes.DataFileUnusable, "64 hex digits");
    }
}
