using System.Net;
using System.Text;
using System.Text.Json;
using Kademlia.Dashboard.Internal;
using Kademlia.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kademlia.Dashboard;

/// <summary>
/// Serves a dashboard over HTTP: one page (plain HTML, CSS and JavaScript embedded in this assembly),
/// kept live by server-sent events, behind a token.
/// </summary>
/// <remarks>
/// <para>Routes, each refused without the token (401) or with a wrong one (403):</para>
/// <list type="table">
/// <item><term><c>GET /</c></term><description>the page.</description></item>
/// <item><term><c>GET /assets/NAME</c></term><description>its scripts and styles.</description></item>
/// <item><term><c>GET /api/snapshot</c></term><description>the state the page draws, as JSON.</description></item>
/// <item><term><c>GET /api/events</c></term><description>
/// server-sent events: <c>snapshot</c> at once and then every interval, <c>step</c> for each answer or
/// failure of a lookup as it happens, <c>done</c> when a lookup ends (with its path), <c>story</c> for the
/// demo's narration.</description></item>
/// <item><term><c>POST /api/lookup?target=HEX&amp;from=N</c></term><description>
/// starts a FIND_NODE lookup (of a random ID without <c>target</c>; from node N of a network) and answers how it went.</description></item>
/// </list>
/// </remarks>
public sealed class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _token;
    private readonly CancellationTokenSource _stopping = new();

    private DashboardServer(WebApplication app, string token)
    {
        _app = app;
        _token = token;
    }

    /// <summary>Where the dashboard listens, e.g. <c>http://127.0.0.1:8080/</c>.</summary>
    public Uri Address { get; private set; } = new("http://127.0.0.1/");

    /// <summary>The address to open in a browser: <see cref="Address"/> with the token, which the first visit trades for a cookie.</summary>
    public Uri OpenAddress => new(Address, "/?token=" + Uri.EscapeDataString(_token));

    /// <summary>Serves <paramref name="dashboard"/>.</summary>
    /// <exception cref="IOException">The endpoint cannot be bound (in use, or not an address of this host).</exception>
    public static Task<DashboardServer> StartAsync(NodeDashboard dashboard, DashboardServerOptions options, CancellationToken cancellationToken = default) =>
        StartAsync((IDashboardFeed)dashboard, options, cancellationToken);

    /// <summary>Serves <paramref name="dashboard"/>.</summary>
    /// <exception cref="IOException">The endpoint cannot be bound (in use, or not an address of this host).</exception>
    public static Task<DashboardServer> StartAsync(NetworkDashboard dashboard, DashboardServerOptions options, CancellationToken cancellationToken = default) =>
        StartAsync((IDashboardFeed)dashboard, options, cancellationToken);

    /// <summary>Closes the event streams and stops listening.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private static async Task<DashboardServer> StartAsync(IDashboardFeed feed, DashboardServerOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Token);

        // The empty builder reads no configuration files or environment: what the dashboard does is
        // what this method says, wherever the tool runs from.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        if (options.LoggerFactory is { } loggers)
        {
            builder.Services.AddSingleton(loggers);
            builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        }
        else
        {
            builder.Services.AddLogging();
        }

        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(options.EndPoint);
        });

        var app = builder.Build();
        var server = new DashboardServer(app, options.Token);
        var check = new TokenCheck(options.Token);
        app.Use(check.InvokeAsync);
        app.UseRouting();
        app.MapGet("/", context => ServeAsync(context, feed.Page));
        app.MapGet("/assets/{name}", context => ServeAsync(context, (string)context.Request.RouteValues["name"]!));
        app.MapGet("/api/snapshot", async context => await WriteJsonAsync(context, await feed.SnapshotAsync(context.RequestAborted).ConfigureAwait(false)).ConfigureAwait(false));
        app.MapGet("/api/events", context => server.StreamAsync(context, feed));
        app.MapPost("/api/lookup", context => LookupAsync(context, feed));
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Address = new Uri(bound.EndsWith('/') ? bound : bound + "/");
        return server;
    }

    private static async Task ServeAsync(HttpContext context, string name)
    {
        if (Assets.Read(name) is not { } bytes)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.ContentType = Assets.ContentType(name);
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }

    private static Task WriteJsonAsync(HttpContext context, object value)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(JsonSerializer.Serialize(value, value.GetType(), DashboardJson.Options), context.RequestAborted);
    }

    private static async Task LookupAsync(HttpContext context, IDashboardFeed feed)
    {
        NodeId? target = null;
        if (context.Request.Query["target"].ToString() is { Length: > 0 } text)
        {
            if (!NodeId.TryParse(text, out var parsed))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsync("target must be 64 hex digits.\n").ConfigureAwait(false);
                return;
            }

            target = parsed;
        }

        _ = int.TryParse(context.Request.Query["from"].ToString(), out var from);
        await WriteJsonAsync(context, await feed.LookupAsync(target, from, context.RequestAborted).ConfigureAwait(false)).ConfigureAwait(false);
    }

    private async Task StreamAsync(HttpContext context, IDashboardFeed feed)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        context.Response.ContentType = "text/event-stream";
        var viewer = feed.Events.Join();
        try
        {
            var body = context.Response.Body;
            var first = Broadcast.Item("snapshot", await feed.SnapshotAsync(stop.Token).ConfigureAwait(false));
            await body.WriteAsync(Encoding.UTF8.GetBytes(first.Format()), stop.Token).ConfigureAwait(false);
            await body.FlushAsync(stop.Token).ConfigureAwait(false);
            await foreach (var item in viewer.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                await body.WriteAsync(Encoding.UTF8.GetBytes(item.Format()), stop.Token).ConfigureAwait(false);
                if (viewer.Reader.Count == 0)
                {
                    await body.FlushAsync(stop.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The page went away, or the server is stopping.
        }
        finally
        {
            feed.Events.Leave(viewer);
        }
    }
}
