using System.Diagnostics;
using System.Reflection;
using System.Threading.Channels;
using Microsoft.Playwright;

namespace Kademlia.Dashboard.Tests;

/// <summary><c>kad demo --dashboard</c> as a person runs it: the process, the printed address, the page in a browser.</summary>
public sealed class DemoPageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    /// <summary>Nodes of the demo network; <c>KAD_DEMO_NODES</c> asks for more (the README's picture uses 50).</summary>
    private static int Nodes => int.TryParse(Environment.GetEnvironmentVariable("KAD_DEMO_NODES"), out var n) ? n : 12;

    [BrowserFact]
    public async Task The_demo_page_tells_the_story_lights_the_holders_and_darkens_the_stopped_nodes()
    {
        var kad = typeof(DemoPageTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "KadDll").Value!;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { kad, "demo", "--nodes", Nodes.ToString(), "--dashboard", "127.0.0.1:0", "--pace", "0.4" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var lines = Channel.CreateUnbounded<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lines.Writer.TryWrite(e.Data);
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            string? address = null;
            while (address is null)
            {
                var line = await lines.Reader.ReadAsync(guard.Token);
                if (line.StartsWith("dashboard: ", StringComparison.Ordinal))
                {
                    address = line["dashboard: ".Length..];
                }
            }

            await using var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
            var page = await context.NewPageAsync();
            var errors = PageErrors.Watch(page);
            Assert.Equal(200, (await page.GotoAsync(address))!.Status);
            await Wait.UntilAsync(async () => await page.Locator("#ring circle.node").CountAsync() == Nodes, $"{Nodes} nodes on the ring");

            // Before the stop: the immutable record's holders are lit up, the get's path drawn.
            await Wait.UntilAsync(async () => (await page.Locator("#story").TextContentAsync() ?? "").Contains("get immutable from", StringComparison.Ordinal), "the first get to be told", TimeSpan.FromMinutes(2));
            // The story line and the holders come in different pushes (the holders with the next snapshot).
            await Wait.UntilAsync(async () => await page.Locator("#ring circle.node[data-holds='1']").CountAsync() > 0, "the record's holders to be lit");
            await Wait.UntilAsync(async () => await page.Locator("polyline.path-final").CountAsync() > 0, "a lookup path to be drawn");

            // The demo stops 40% of the nodes (alice among them), then reads again from survivors.
            var stopped = Nodes * 2 / 5;
            await Wait.UntilAsync(async () => (await page.Locator("#story").TextContentAsync() ?? "").Contains("Done.", StringComparison.Ordinal), "the demo to finish", TimeSpan.FromMinutes(2));
            Assert.Equal(stopped, await page.Locator("#ring circle.node.dead").CountAsync());
            Assert.Equal((Nodes - stopped).ToString(), await page.Locator("#alive-count").TextContentAsync());
            var story = await page.Locator("#story li").AllTextContentsAsync();
            var afterStop = story.SkipWhile(line => !line.StartsWith("Stopping", StringComparison.Ordinal)).ToList();
            Assert.Contains(afterStop, line => line.StartsWith("get immutable from", StringComparison.Ordinal) && line.Contains("The house always wins", StringComparison.Ordinal));
            Assert.Equal(0, await page.Locator("#story li.failed").CountAsync());
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.PathFor("demo-page.png") });
            Assert.Empty(errors.Snapshot());
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
        }
    }
}
