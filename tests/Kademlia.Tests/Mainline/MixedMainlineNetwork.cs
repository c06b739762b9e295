using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kademlia.Mainline;

namespace Kademlia.Tests.Mainline;

/// <summary>
/// Four of our Mainline nodes and four libtorrent sessions on 127.0.0.1, every one told of every other, and
/// ready only when every routing table on both sides holds most of the others.
/// </summary>
public sealed class MixedMainlineNetwork : IAsyncLifetime
{
    public const int Count = 4;

    internal LibtorrentHarness Libtorrent { get; private set; } = null!;

    public List<MainlineDhtNode> Ours { get; } = [];

    public IEnumerable<IPEndPoint> LibtorrentEndpoints => Libtorrent.Ports.Select(p => new IPEndPoint(IPAddress.Loopback, p));

    public async Task InitializeAsync()
    {
        if (LibtorrentHarness.WhyNot() is not null)
        {
            return;
        }

        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var cancellationToken = budget.Token;
        Libtorrent = await LibtorrentHarness.StartAsync(Count, cancellationToken);
        for (var i = 0; i < Count; i++)
        {
            Ours.Add(await MainlineDhtNode.StartAsync(MainlineLoopback.Options(), cancellationToken));
        }

        var everyone = LibtorrentEndpoints.Concat(Ours.Select(o => o.LocalEndpoint)).ToList();
        for (var session = 0; session < Count; session++)
        {
            foreach (var endpoint in everyone.Where(e => e.Port != Libtorrent.Ports[session]))
            {
                await Libtorrent.SendAsync("add_node", session, new JsonObject { ["host"] = "127.0.0.1", ["port"] = endpoint.Port }, cancellationToken);
            }
        }

        // Readiness handshake: both sides' tables must know most of the network before any test runs.
        string state = "";
        for (var round = 0; round < 60; round++)
        {
            foreach (var node in Ours.Where(o => o.RoutingTableCount < 2 * Count - 2))
            {
                await node.BootstrapAsync(everyone.Where(e => e.Port != node.LocalEndpoint.Port), cancellationToken);
            }

            var libtorrentTables = new List<int>();
            for (var session = 0; session < Count; session++)
            {
                libtorrentTables.Add((await Libtorrent.SendAsync("table", session, null, cancellationToken)).GetProperty("nodes").GetInt32());
            }

            state = $"ours {string.Join(',', Ours.Select(o => o.RoutingTableCount))}; libtorrent {string.Join(',', libtorrentTables)}";
            if (Ours.All(o => o.RoutingTableCount >= 2 * Count - 2) && libtorrentTables.All(t => t >= Count))
            {
                return;
            }

            await Task.Delay(500, cancellationToken);
        }

        throw new InvalidOperationException($"the mixed network did not fill its routing tables within 60 rounds: {state}");
    }

    public async Task DisposeAsync()
    {
        foreach (var node in Ours)
        {
            await node.DisposeAsync();
        }

        if (Libtorrent is not null)
        {
            await Libtorrent.DisposeAsync();
        }
    }

    /// <summary>Runs <paramref name="attempt"/> until <paramref name="done"/> holds, at most <paramref name="attempts"/> times a second apart: a lookup retried, not a timed assertion.</summary>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> attempt, Func<T, bool> done, CancellationToken cancellationToken, int attempts = 30)
    {
        var last = await attempt();
        for (var i = 1; i < attempts && !done(last); i++)
        {
            await Task.Delay(1000, cancellationToken);
            last = await attempt();
        }

        return last;
    }

    public static JsonObject Args(params (string Key, JsonNode? Value)[] pairs)
    {
        var json = new JsonObject();
        foreach (var (key, value) in pairs) json[key] = value;
        return json;
    }

    public static IEnumerable<string> Peers(JsonElement answer) => answer.GetProperty("peers").EnumerateArray().Select(p => p.GetString()!);
}
