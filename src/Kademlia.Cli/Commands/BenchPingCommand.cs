using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using Kademlia.Workloads;
using Spectre.Console;

namespace Kademlia.Cli.Commands;

/// <summary><c>kad bench ping</c>: authenticated request/response throughput against a raw UDP echo.</summary>
internal static class BenchPingCommand
{
    public static Command Create()
    {
        var window = new Option<int>("--window", "-w") { Description = "Requests in flight.", DefaultValueFactory = _ => 64 };
        var seconds = new Option<double>("--seconds", "-s") { Description = "Duration of each measurement.", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var command = new Command("ping", "PING/PONG throughput between two nodes on 127.0.0.1 (Noise sessions, AEAD), with default options and with UnsafePreferInlineScheduling, then a raw UDP echo with the same window, duration and datagram size, and the ratios.")
        {
            window, seconds, json,
        };
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(window), result.GetValue(seconds), result.GetValue(json), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int window, double seconds, bool json, CancellationToken cancellationToken)
    {
        var options = new PingWorkloadOptions { Window = window, Duration = TimeSpan.FromSeconds(seconds) };
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            Console.Error.WriteLine($"kad bench ping: {e.Message}");
            return 2;
        }

        PingReport report;
        try
        {
            report = await BenchProgress.RunAsync(json, progress => PingWorkload.RunAsync(options, progress, cancellationToken)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine("kad bench ping: cancelled.");
            return 130;
        }
        catch (SocketException e)
        {
            Console.Error.WriteLine($"kad bench ping: loopback socket failed ({e.SocketErrorCode}).");
            return 1;
        }

        if (json)
        {
            Console.Out.WriteLine(report.ToJson());
            return 0;
        }

        BenchConsole.WidenWhenRedirected();
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("loop")
            .AddColumn(new TableColumn("answers/s").RightAligned())
            .AddColumn(new TableColumn("answers").RightAligned())
            .AddColumn(new TableColumn("lost or failed").RightAligned())
            .AddColumn(new TableColumn("latency p50 / p99 / max ms").RightAligned());
        Row(table, "DhtNode PING/PONG (authenticated)", report.Nodes);
        Row(table, "  the same, UnsafePreferInlineScheduling", report.InlineNodes);
        Row(table, "raw UDP echo (synchronous loop)", report.RawUdp);
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, "ratio {0:0.00}, inline scheduling {1:0.00} (target ≥ 0.50); window {2}, {3} bytes per datagram, {4} logical processors shared with everything else running",
            report.Ratio, report.InlineRatio, report.Window, report.DatagramBytes, report.Processors);
        return 0;
    }

    private static void Row(Table table, string name, ThroughputReport loop) => table.AddRow(
        name,
        loop.PerSecond.ToString("N0", CultureInfo.InvariantCulture),
        loop.Completed.ToString("N0", CultureInfo.InvariantCulture),
        loop.Failed.ToString("N0", CultureInfo.InvariantCulture),
        string.Create(CultureInfo.InvariantCulture, $"{loop.LatencyMs.P50:0.00} / {loop.LatencyMs.P99:0.00} / {loop.LatencyMs.Max:0.00}"));
}
