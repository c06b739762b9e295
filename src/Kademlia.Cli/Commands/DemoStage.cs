using System.Net;
using System.Security.Cryptography;
using Kademlia.Dashboard;
using Kademlia.Identity;
using Spectre.Console;

namespace Kademlia.Cli.Commands;

/// <summary>
/// <c>kad demo --dashboard</c>: the demo network on a web page, its steps told there too and paced so
/// a person can follow them. Without the option every call does nothing and the demo runs at full speed.
/// </summary>
internal sealed class DemoStage : IAsyncDisposable
{
    /// <summary>Longest the demo waits for a browser before it runs anyway.</summary>
    private static readonly TimeSpan ViewerWait = TimeSpan.FromMinutes(2);

    private readonly NetworkDashboard? _dashboard;
    private readonly DashboardServer? _server;
    private readonly TimeSpan _pace;

    private DemoStage(NetworkDashboard? dashboard, DashboardServer? server, TimeSpan pace)
    {
        _dashboard = dashboard;
        _server = server;
        _pace = pace;
    }

    public static DemoStage None { get; } = new(null, null, TimeSpan.Zero);

    /// <summary>Serves the network at <paramref name="endpoint"/>, prints the address and waits (a while) for a browser.</summary>
    public static async Task<DemoStage> OpenAsync(IAnsiConsole console, IReadOnlyList<DhtNode> network, IPEndPoint endpoint, TimeSpan pace, CancellationToken cancellationToken)
    {
        var dashboard = new NetworkDashboard(network);
        DashboardServer server;
        try
        {
            server = await DashboardServer.StartAsync(dashboard, new DashboardServerOptions { EndPoint = endpoint, Token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) }, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await dashboard.DisposeAsync().ConfigureAwait(false);
            throw new CliException(ExitCodes.BindFailed, $"cannot serve the dashboard at {endpoint}: {e.Message}", e);
        }

        // Written past Spectre, which would wrap the long address at the terminal's width.
        var output = console.Profile.Out.Writer;
        await output.WriteLineAsync($"dashboard: {server.OpenAddress}").ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        console.MarkupLine($"[grey]Open it in a browser; the demo starts when a page connects (or in {ViewerWait.TotalMinutes:F0} minutes).[/]");
        try
        {
            await dashboard.WaitForViewerAsync(cancellationToken).WaitAsync(ViewerWait, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        dashboard.Narrate($"{network.Count} nodes joined on 127.0.0.1, one UDP socket each.");
        return new DemoStage(dashboard, server, pace);
    }

    /// <summary>Tells the page what happened (lighting up the holders of <paramref name="key"/>), then gives the viewer time.</summary>
    public async Task ShowAsync(string text, NodeId? key = null, bool? succeeded = null, CancellationToken cancellationToken = default)
    {
        if (_dashboard is null)
        {
            return;
        }

        _dashboard.Narrate(text, key, succeeded);
        await Task.Delay(_pace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Draws <paramref name="node"/> dark; call before stopping it.</summary>
    public async Task StoppingAsync(DhtNode node, CancellationToken cancellationToken)
    {
        if (_dashboard is null)
        {
            return;
        }

        _dashboard.MarkStopped(node);
        await Task.Delay(_pace / 20, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Keeps the page up until Ctrl-C once the demo is over.</summary>
    public async Task HoldAsync(IAnsiConsole console, CancellationToken cancellationToken)
    {
        if (_dashboard is null)
        {
            return;
        }

        _dashboard.Narrate("Done. The page stays up until Ctrl-C.");
        console.MarkupLine("[grey]The dashboard stays up until Ctrl-C.[/]");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }

        if (_dashboard is not null)
        {
            await _dashboard.DisposeAsync().ConfigureAwait(false);
        }
    }
}
