using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Tests;
using Microsoft.Playwright;

namespace Kademlia.Dashboard.Tests;

/// <summary>The network page (<c>kad demo --dashboard</c>) in a real browser.</summary>
public sealed class NetworkPageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [BrowserFact]
    public async Task The_ring_shows_every_node_lights_the_holders_and_darkens_stopped_nodes()
    {
        await using var network = await LoopbackNetwork.StartAsync(10);
        await using var dashboard = new NetworkDashboard(network.Nodes, k: NetworkParameters.Test.K, interval: TimeSpan.FromMilliseconds(250));
        await using var server = await DashboardServer.StartAsync(dashboard, new DashboardServerOptions { Token = "network-page-test-token" });
        await using var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        var errors = PageErrors.Watch(page);
        Assert.Equal(200, (await page.GotoAsync(server.OpenAddress.ToString()))!.Status);
        await dashboard.WaitForViewerAsync().WaitAsync(DashboardHarness.Guard);
        await Wait.UntilAsync(async () => await page.Locator("#ring circle.node").CountAsync() == 10, "ten nodes on the ring");

        // A record stored from node 2 and read from node 7: the holders light up and the read is drawn.
        var record = ImmutableRecord.Create("on the ring"u8);
        var put = await network.Nodes[2].PutAsync(record);
        dashboard.Narrate($"put from node 2: stored on {put.Stored}", record.Key, put.Succeeded);
        var holders = 0;
        foreach (var node in network.Nodes)
        {
            holders += (await node.GetHeldRecordsAsync()).Values.Any(v => v.Record.Key == record.Key) ? 1 : 0;
        }

        await Wait.UntilAsync(async () => await page.Locator("#ring circle.node[data-holds='1']").CountAsync() == holders, $"the {holders} holders to be lit");
        var got = await network.Nodes[7].GetAsync(record.Key, RecordKind.Immutable);
        Assert.NotNull(got.Record);
        await Wait.UntilAsync(async () => await page.Locator("polyline.path-final").CountAsync() == 1, "the get's path to be drawn");
        Assert.True(await page.Locator("line.path-step").CountAsync() > 0, "each answer is drawn as a step");

        // Stop four nodes: they go dark, and a lookup from a survivor is still drawn.
        foreach (var node in network.Nodes.Skip(3).Take(4).ToList())
        {
            dashboard.MarkStopped(node);
            await node.DisposeAsync();
        }

        await Wait.UntilAsync(async () => await page.Locator("#ring circle.node.dead").CountAsync() == 4, "four stopped nodes drawn dark");
        Assert.Equal("6", await page.Locator("#alive-count").TextContentAsync());
        using var client = new HttpClient { BaseAddress = server.Address };
        client.DefaultRequestHeaders.Authorization = new("Bearer", "network-page-test-token");
        using (var response = await client.PostAsync($"/api/lookup?from=8&target={network.Nodes[0].Id}", null))
        {
            response.EnsureSuccessStatusCode();
        }

        await Wait.UntilAsync(
            async () => await page.Locator("#lookup-summary").TextContentAsync() is { } summary && summary.StartsWith($"from node 8 for {network.Nodes[0].Id.ToShortString()}: found", StringComparison.Ordinal),
            "the survivor's lookup to be drawn as found");
        Assert.Contains("put from node 2", await page.Locator("#story").TextContentAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.PathFor("network-page.png"), FullPage = true });
        Assert.Empty(errors.Snapshot());
    }
}
