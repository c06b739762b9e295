using System.Globalization;
using System.Net.Sockets;
using Kademlia.Workloads;
using Spectre.Console;

namespace Kademlia.Cli.Commands;

/// <summary>Runs a <see cref="NetworkWorkload"/> for <c>kad bench network</c> and <c>kad bench lookup</c> and prints its report.</summary>
internal static class BenchNetworkRunner
{
    /// <summary>Exit code 0 when every operation succeeded, 1 when one failed or the network could not start, 2 for bad options, 130 when cancelled.</summary>
    public static async Task<int> RunAsync(NetworkWorkloadOptions options, bool json, string name, CancellationToken cancellationToken)
    {
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            Console.Error.WriteLine($"{name}: {e.Message}");
            return 2;
        }

        NetworkReport report;
        try
        {
            report = await BenchProgress.RunAsync(json, progress => NetworkWorkload.RunAsync(options, progress, cancellationToken)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine($"{name}: cancelled.");
            return 130;
        }
        catch (SocketException e)
        {
            Console.Error.WriteLine($"{name}: cannot bind the nodes' ports ({e.SocketErrorCode}); try another --base-port or 0.");
            return 1;
        }

        if (json)
        {
            Console.Out.WriteLine(report.ToJson());
        }
        else
        {
            Render(report);
        }

        return report.AllSucceeded ? 0 : 1;
    }

    private static void Render(NetworkReport report)
    {
        BenchConsole.WidenWhenRedirected();
        var summary = new Grid().AddColumns(2);
        summary.AddRow("nodes", $"{report.Nodes} on 127.0.0.1, seed {report.Seed}, {report.Processors} logical processors shared with everything else running");
        summary.AddRow("bootstrap", $"{Ms(report.BootstrapMs)} ms in all (joins one by one, then a self-lookup each); one join p50 {Ms(report.JoinMs.P50)} / max {Ms(report.JoinMs.Max)} ms; {report.FailedJoins} failed");
        summary.AddRow("settle", report.Settled ? $"tables stopped changing (last change {Ms(report.SettleMs)} ms after the refresh round)" : "[yellow]tables still changing at the bound[/]");
        summary.AddRow("routing tables", $"min {report.TableSizes.Min:0} / p50 {report.TableSizes.P50:0} / max {report.TableSizes.Max:0} contacts");
        summary.AddRow("workload", $"{Ms(report.WorkloadMs)} ms, one operation at a time; {report.PacketsOut:N0} datagrams, {report.RequestTimeouts} request timeouts, {report.Drops} drops");
        AnsiConsole.Write(summary);

        var table = new Table().Border(TableBorder.Simple)
            .Caption("ms: milliseconds from the call to completion; first: to the first provider or mutable value; msgs: requests sent; stored: nodes that acknowledged (min/avg); more in --json")
            .AddColumn(new TableColumn("operation").NoWrap())
            .AddColumn(new TableColumn("ok").RightAligned())
            .AddColumn(new TableColumn("p50").RightAligned())
            .AddColumn(new TableColumn("p95").RightAligned())
            .AddColumn(new TableColumn("max").RightAligned())
            .AddColumn(new TableColumn("first p50/95").RightAligned())
            .AddColumn(new TableColumn("msgs avg/max").RightAligned())
            .AddColumn(new TableColumn("hops").RightAligned())
            .AddColumn(new TableColumn("stored").RightAligned());
        foreach (var op in report.Operations)
        {
            var success = string.Create(CultureInfo.InvariantCulture, $"{100 * op.SuccessRate:0.#}%");
            table.AddRow(
                op.Name,
                op.Succeeded == op.Attempts ? success : $"[red]{success}[/]",
                Ms(op.LatencyMs.P50),
                Ms(op.LatencyMs.P95),
                Ms(op.LatencyMs.Max),
                op.FirstResultMs is { } first ? $"{Ms(first.P50)}/{Ms(first.P95)}" : "",
                string.Create(CultureInfo.InvariantCulture, $"{op.Messages.Mean:0.0}/{op.Messages.Max:0}"),
                op.Name == "find providers" ? "" : op.Hops.Mean.ToString("0.0", CultureInfo.InvariantCulture),
                op.StoredOn is { } stored ? string.Create(CultureInfo.InvariantCulture, $"{stored.Min:0}/{stored.Mean:0.0}") : "");
        }

        AnsiConsole.Write(table);
    }

    private static string Ms(double milliseconds) => milliseconds.ToString(milliseconds < 10 ? "0.00" : "0", CultureInfo.InvariantCulture);
}
