using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Kademlia.Cli.Daemon;
using Kademlia.Engine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Kademlia.Cli.Commands;

/// <summary><c>kad node</c>: the daemon (see <see cref="NodeDaemon"/>).</summary>
internal static class NodeCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "UDP port to listen on; 0 lets the system choose (pick a fixed one for a node others bootstrap from).", DefaultValueFactory = _ => 0 };
        port.Check(p => p is < 0 or > 65535 ? "--port must be between 0 and 65535." : null);
        var bind = new Option<string>("--bind") { Description = "Address to bind: '::' (dual stack, the default), '0.0.0.0', '127.0.0.1', ...", DefaultValueFactory = _ => "::", HelpName = "address" };
        bind.Check(b => IPAddress.TryParse(b, out _) ? null : $"--bind '{b}' is not an IP address.");
        var advertise = new Option<string?>("--advertise") { Description = "The address:port other nodes should use to reach this one (a port forwarded on a NAT, or a wildcard bind on a host whose public address you know). Defaults to the bound address; bound to a wildcard, the endpoint peers agree they see (127.0.0.1 on the test network).", HelpName = "address:port" };
        advertise.Check(a => a is null || (IPEndPoint.TryParse(a, out var endpoint) && endpoint.Port != 0) ? null : $"--advertise '{a}' is not address:port.");
        var mode = new Option<string>("--mode") { Description = "'auto' (the default) lets reachability probes decide: a client while strangers cannot reach the node (and, until probed, while it advertises no endpoint or peers see it elsewhere), else a server. 'server' or 'client' decide yourself. A client stays out of others' routing tables and still does every operation.", DefaultValueFactory = _ => "auto" };
        mode.AcceptOnlyFromAmong("auto", "server", "client");
        var keepalivePeers = new Option<int>("--keepalive-peers") { Description = "As a client, how many of its closest contacts the node keeps NAT mappings open to (a keepalive every 25 s).", DefaultValueFactory = _ => 8, HelpName = "count" };
        keepalivePeers.Check(k => k is < 1 or > 64 ? "--keepalive-peers must be from 1 to 64." : null);
        var bootstrap = CommonOptions.Bootstrap("A node to join through (repeatable). Saved contacts of the last run are tried too.");
        var dataDir = CommonOptions.DataDirectory("Where the identity, records and routing table live (created, owner-only, if missing). Defaults to ~/.kad.");
        var network = CommonOptions.Network();
        var logLevel = new Option<LogLevel>("--log-level") { Description = "Least severe log messages to show on stderr.", DefaultValueFactory = _ => LogLevel.Information };
        var controlPort = new Option<int>("--control-port") { Description = "TCP port of the control endpoint on 127.0.0.1; 0 lets the system choose.", DefaultValueFactory = _ => 0 };
        controlPort.Check(p => p is < 0 or > 65535 ? "--control-port must be between 0 and 65535." : null);

        var metrics = new Option<string?>("--metrics")
        {
            Description = $"Serve the node's metrics (the Kademlia meter) in Prometheus text format at http://address:port/metrics; alone, at {DefaultMetrics}; a bare port is on 127.0.0.1, port 0 a free one. The 'metrics:' line prints the address. No authentication: keep it on loopback or a private network.",
            HelpName = "address:port",
            Arity = ArgumentArity.ZeroOrOne,
        };
        metrics.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && ParseMetrics(result.Tokens[0].Value) is null)
            {
                result.AddError($"--metrics '{result.Tokens[0].Value}' is neither address:port nor a port (for example 127.0.0.1:9464).");
            }
            else if (result.Tokens.Count == 1 && ParseMetrics(result.Tokens[0].Value) is { AddressFamily: AddressFamily.InterNetworkV6 } v6 && !v6.Address.Equals(IPAddress.IPv6Any))
            {
                // .NET's HttpListener on Linux and macOS reads the port after the first colon of its prefix.
                result.AddError($"--metrics '{result.Tokens[0].Value}': the metrics endpoint takes an IPv4 address, or [::] for every address.");
            }
        });
        var logFormat = new Option<string>("--log-format") { Description = "How log lines on stderr look: 'simple' (one line each, for people) or 'json' (one JSON object per line, for log collectors).", DefaultValueFactory = _ => "simple" };
        logFormat.AcceptOnlyFromAmong("simple", "json");

        var dashboard = CommonOptions.Dashboard("Serve the live web dashboard (buckets, lookups as they happen, records, traffic) at address:port, 127.0.0.1 on a free port when alone. It asks for the control token; the 'dashboard:' line prints the address to open with it.");

        var command = new Command("node", "Run a node: joins the network and serves it until Ctrl-C or SIGTERM, keeping identity, records and routing table in --data-dir. Prints 'contact: <contact string>' for others' --bootstrap.")
        {
            port, bind, advertise, mode, bootstrap, dataDir, network, logLevel, logFormat, controlPort, dashboard, metrics,
        };
        command.Options.Add(keepalivePeers);
        command.SetAction(async (result, cancellationToken) =>
        {
            var options = new NodeDaemonOptions
            {
                KeepalivePeers = result.GetValue(keepalivePeers),
                DataDirectory = CommonOptions.FullDataDirectory(result.GetValue(dataDir)),
                Network = CommonOptions.ToNetwork(result.GetValue(network)),
                Bind = new IPEndPoint(IPAddress.Parse(result.GetValue(bind)!), result.GetValue(port)),
                Advertise = result.GetValue(advertise) is { } a ? IPEndPoint.Parse(a) : null,
                Mode = ToMode(result.GetValue(mode)),
                Bootstrap = result.GetValue(bootstrap) ?? [],
                ControlPort = result.GetValue(controlPort),
                Dashboard = CommonOptions.ToDashboard(result, dashboard),
                Metrics = result.GetResult(metrics) is null ? null : ParseMetrics(result.GetValue(metrics)),
                LogLevel = result.GetValue(logLevel),
            };
            using var loggers = CreateLoggers(options.LogLevel, json: result.GetValue(logFormat) == "json");
            return await new NodeDaemon(options, Console.Out, loggers).RunAsync(cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Where <c>--metrics</c> alone serves: 127.0.0.1 on 9464, the port Prometheus exporters of OpenTelemetry default to.</summary>
    private static readonly IPEndPoint DefaultMetrics = new(IPAddress.Loopback, 9464);

    /// <summary>
    /// Logs on stderr, all of them (stdout is for the daemon's facts): one line each with a UTC time, or
    /// with <c>--log-format json</c> one JSON object per line (<c>Timestamp</c>, <c>EventId</c>,
    /// <c>LogLevel</c>, <c>Category</c>, <c>Message</c>, <c>State</c>) from the JSON console formatter.
    /// </summary>
    private static ILoggerFactory CreateLoggers(LogLevel level, bool json) => LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(level).AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        if (json)
        {
            builder.AddJsonConsole(format =>
            {
                format.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                format.UseUtcTimestamp = true;
            });
        }
        else
        {
            builder.AddSimpleConsole(format =>
            {
                format.SingleLine = true;
                format.TimestampFormat = "HH:mm:ss.fff ";
                format.UseUtcTimestamp = true;
            });
        }
    });

    /// <summary>The endpoint a <c>--metrics</c> value names (none: <see cref="DefaultMetrics"/>), or null when it names none.</summary>
    private static IPEndPoint? ParseMetrics(string? value) =>
        string.IsNullOrEmpty(value) ? DefaultMetrics
        : ushort.TryParse(value, out var port) ? new IPEndPoint(IPAddress.Loopback, port)
        : IPEndPoint.TryParse(value, out var endpoint) && value.Contains(':', StringComparison.Ordinal) ? endpoint
        : null;

    /// <summary>The node mode an accepted <c>--mode</c> value names.</summary>
    public static NodeMode ToMode(string? value) => value switch
    {
        "server" => NodeMode.Server,
        "client" => NodeMode.Client,
        _ => NodeMode.Auto,
    };
}
