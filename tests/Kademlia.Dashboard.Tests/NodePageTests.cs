using Microsoft.Playwright;

namespace Kademlia.Dashboard.Tests;

/// <summary>The node page in a real browser (headless Chromium): what a person sees, and that it stays live.</summary>
public sealed class NodePageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [BrowserFact]
    public async Task The_page_loads_without_errors_and_shows_the_nodes_buckets_and_contacts()
    {
        await using var harness = await DashboardHarness.StartAsync(6);
        var (page, errors) = await OpenAsync(harness, 1280, 900);
        await using var context = page.Context;

        Assert.Equal(256, await page.Locator("#bucket-grid .bucket").CountAsync());
        // The table may still change as the network settles: wait until the page shows what the node holds.
        await Wait.UntilAsync(async () =>
        {
            var table = await harness.Node.GetRoutingTableAsync();
            return await page.Locator("#contact-count").TextContentAsync() == table.Count.ToString()
                && await page.Locator("#contacts tbody tr.contact").CountAsync() == table.Count
                && await page.Locator("#bucket-grid .bucket:not([data-count='0'])").CountAsync() == table.Select(c => c.Bucket).Distinct().Count();
        }, "the page's contacts and buckets to match the node's routing table");

        Assert.Equal(harness.Node.Id.ToString()[..8], await page.Locator("#node-id").TextContentAsync());
        Assert.Equal("live", await page.Locator("#live").TextContentAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.PathFor("node-page.png"), FullPage = true });
        Assert.Empty(errors.Snapshot());
    }

    [BrowserFact]
    public async Task A_lookup_started_through_the_api_appears_on_the_page_with_its_path()
    {
        await using var harness = await DashboardHarness.StartAsync(12);
        var (page, errors) = await OpenAsync(harness, 1280, 900);
        await using var context = page.Context;
        await Wait.UntilAsync(async () => await page.Locator("#live.on").CountAsync() == 1, "the event stream to open");

        var target = harness.Network.Nodes[5].Id.ToString();
        using var client = harness.Client(harness.Token);
        using (var response = await client.PostAsync($"/api/lookup?target={target}", null))
        {
            response.EnsureSuccessStatusCode();
        }

        var card = page.Locator($".lookup[data-target='{target}']");
        await Wait.UntilAsync(async () => await card.CountAsync() == 1 && await card.GetAttributeAsync("data-done") == "ok", "the lookup's card to show it finished");
        Assert.True(await card.Locator("svg.steps circle").CountAsync() > 0, "each answer is drawn as a dot");
        Assert.True(await card.Locator(".hop").CountAsync() > 0, "the path is listed hop by hop");
        Assert.Contains(target[..8], await card.TextContentAsync(), StringComparison.Ordinal);

        // A put from the node: its lookup and its stores are drawn, and the value is listed with its TTL.
        var record = Records.ImmutableRecord.Create("listed on the dashboard"u8);
        var put = await harness.Node.PutAsync(record);
        Assert.True(put.Succeeded);
        await Wait.UntilAsync(async () => await page.Locator($"#values tr.value[data-key='{record.Key}']").CountAsync() == 1, "the value to be listed");
        await Wait.UntilAsync(async () => await page.Locator($".lookup[data-target='{record.Key}'][data-done='ok'] .op").TextContentAsync() == "store", "the put to be drawn as a store");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.PathFor("node-page-lookup.png"), FullPage = true });
        Assert.Empty(errors.Snapshot());
    }

    [BrowserFact]
    public async Task A_lookup_started_from_the_pages_form_is_drawn()
    {
        await using var harness = await DashboardHarness.StartAsync(5);
        var (page, errors) = await OpenAsync(harness, 1280, 900);
        await using var context = page.Context;
        await Wait.UntilAsync(async () => await page.Locator("#live.on").CountAsync() == 1, "the event stream to open");

        await page.Locator("#lookup-form button").ClickAsync();
        await Wait.UntilAsync(async () => await page.Locator(".lookup[data-done]").CountAsync() >= 1, "a lookup of a random ID to be drawn");
        Assert.Empty(errors.Snapshot());
    }

    [BrowserFact]
    public async Task The_page_refuses_a_missing_or_wrong_token()
    {
        await using var harness = await DashboardHarness.StartAsync(3);
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();

        var missing = await page.GotoAsync(harness.Server.Address.ToString());
        Assert.Equal(401, missing!.Status);
        Assert.Equal(0, await page.Locator("#bucket-grid").CountAsync());

        var wrong = await page.GotoAsync(harness.Server.Address + "?token=" + new string('0', 64));
        Assert.Equal(403, wrong!.Status);
        Assert.DoesNotContain(harness.Node.Id.ToString(), await page.ContentAsync(), StringComparison.Ordinal);
    }

    [BrowserFact]
    public async Task At_a_phone_sized_viewport_the_page_fits_the_width_and_shows_every_panel()
    {
        await using var harness = await DashboardHarness.StartAsync(5);
        var (page, errors) = await OpenAsync(harness, 390, 844, isMobile: true);
        await using var context = page.Context;
        await Wait.UntilAsync(async () => await page.Locator("#contacts tbody tr.contact").CountAsync() > 0, "contacts to be listed");

        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"the page is {overflow} px wider than the phone's screen");
        foreach (var panel in new[] { "#buckets-panel", "#lookups-panel", "#records-panel", "#traffic-panel" })
        {
            var box = await page.Locator(panel).BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.Width <= 390, $"{panel} is {box.Width} px wide");
        }

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.PathFor("node-page-phone.png"), FullPage = true });
        Assert.Empty(errors.Snapshot());
    }

    /// <summary>Opens the dashboard as a person would (the printed address with its token) and collects console errors.</summary>
    private async Task<(IPage Page, PageErrors Errors)> OpenAsync(DashboardHarness harness, int width, int height, bool isMobile = false)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            IsMobile = isMobile,
            HasTouch = isMobile,
            DeviceScaleFactor = isMobile ? 2 : 1,
        });
        var page = await context.NewPageAsync();
        var errors = PageErrors.Watch(page);
        var response = await page.GotoAsync(harness.Server.OpenAddress.ToString());
        Assert.Equal(200, response!.Status);
        Assert.Equal(harness.Server.Address.ToString(), page.Url); // the token left the address bar
        await Wait.UntilAsync(async () => await page.Locator("#node-id").TextContentAsync() != "…", "the first snapshot to be drawn");
        return (page, errors);
    }
}
