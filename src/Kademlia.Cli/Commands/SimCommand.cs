using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Kademlia.Simulation;
using Kademlia.Simulation.Invariants;
using Spectre.Console;

namespace Kademlia.Cli.Commands;

/// <summary>
/// <c>kad sim</c>: a deterministic simulated network (message level for large N, full wire for
/// fidelity) with churn, latency, loss and adversaries; prints a summary, writes JSON and SVG plots.
/// <c>--report FILE</c> runs the evaluation suite instead and writes docs/EVALUATION.md.
/// </summary>
internal static class SimCommand
{
    public static Command Create()
    {
        var nodes = new Option<int>("--nodes") { Description = "Nodes at the start.", DefaultValueFactory = _ => 1000 };
        var duration = new Option<string>("--duration") { Description = "Simulated time, e.g. 0, 30m, 24h, 1d (0: all workload at once).", DefaultValueFactory = _ => "0" };
        var churn = new Option<string>("--churn") { Description = "Median session, e.g. 1h (downtime the same); 'none' for no churn.", DefaultValueFactory = _ => "none" };
        var adversaries = new Option<string>("--adversaries") { Description = "FRACTION:KIND[:PREFIXES], KIND one of silent, colluding, storedropper, garbage, poisoning; e.g. 0.2:colluding.", DefaultValueFactory = _ => "none" };
        var eclipse = new Option<int>("--eclipse") { Description = "Eclipse attackers with IDs ground into node 0's buckets (0: none); others' lookups of node 0 are measured at d = 1, 2, 4 and 8.", DefaultValueFactory = _ => 0 };
        var sybils = new Option<string>("--sybils") { Description = "TARGETS:PER: PER Sybils ground next to each of the first TARGETS record keys (colluding, grinding cost reported); e.g. 100:20.", DefaultValueFactory = _ => "none" };
        var noIpLimits = new Option<bool>("--no-ip-limits") { Description = "Turn the per-/24 routing-table limits off." };
        var k = new Option<int>("--k") { Description = "Bucket size and replication k.", DefaultValueFactory = _ => 20 };
        var alpha = new Option<int>("--alpha") { Description = "Queries in flight per path α.", DefaultValueFactory = _ => 3 };
        var d = new Option<int>("--d") { Description = "Disjoint lookup paths d.", DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { Description = "Seed of the run; the same seed replays it exactly.", DefaultValueFactory = _ => 1 };
        var mode = new Option<string>("--mode") { Description = "message (large N) or wire (real engines, codec and sessions).", DefaultValueFactory = _ => "message" };
        var lookups = new Option<int>("--lookups") { Description = "FIND_NODE lookups (and as many GETs unless --gets).", DefaultValueFactory = _ => 1000 };
        var gets = new Option<int?>("--gets") { Description = "GETs of published records (default: --lookups)." };
        var records = new Option<int>("--records") { Description = "Records published at the start.", DefaultValueFactory = _ => 100 };
        var rtt = new Option<double>("--rtt") { Description = "Median round-trip time in ms.", DefaultValueFactory = _ => 50 };
        var loss = new Option<double>("--loss") { Description = "Probability that a datagram is lost.", DefaultValueFactory = _ => 0 };
        var unreachable = new Option<double>("--unreachable") { Description = "Fraction of honest nodes behind a NAT.", DefaultValueFactory = _ => 0 };
        var noClientMode = new Option<bool>("--no-client-mode") { Description = "Nodes behind a NAT enter routing tables like any node instead of running as clients." };
        var natTimeout = new Option<string>("--nat-timeout") { Description = "How long a NAT admits a peer after the last datagram sent to it, e.g. 30s, 2m.", DefaultValueFactory = _ => "30s" };
        var noRepublish = new Option<bool>("--no-republish") { Description = "Never republish records." };
        var tables = new Option<string>("--tables") { Description = "sampled (from the whole network's ID ranges; large N), lazy (sampled when a node is first queried; a million nodes) or joined (built by every node's join, messages counted).", DefaultValueFactory = _ => "sampled" };
        var ideal = new Option<bool>("--ideal") { Description = "The simulator's oracles back, for comparison: no jitter or processing delay, timeouts from the true RTT, eviction at the first failure." };
        var output = new Option<string?>("--out") { Description = "Directory for summary.json and the SVG plots." };
        var report = new Option<string?>("--report") { Description = "Run the evaluation suite and write this Markdown file (e.g. docs/EVALUATION.md)." };
        var quick = new Option<bool>("--quick") { Description = "With --report: smaller networks, for a fast check of the suite." };
        var check = new Option<bool>("--check") { Description = "With --report: rerun the fast subset and fail (exit 1) when the file's checked sections differ; writes nothing." };
        var million = new Option<bool>("--million") { Description = "With --report: also run the 1,000,000-node scenario (minutes; its section is kept from the file otherwise)." };

        var command = new Command("sim", "Run a deterministic simulated network and measure lookups, records and attacks.")
        {
            nodes, duration, churn, adversaries, eclipse, sybils, noIpLimits, k, alpha, d, seed, mode, lookups, gets, records, rtt, loss, unreachable, noClientMode, natTimeout, noRepublish, tables, ideal, output, report, quick, check, million,
        };
        command.SetAction(result =>
        {
            if (result.GetValue(report) is { } reportPath)
            {
                return result.GetValue(check)
                    ? EvaluationReport.Check(reportPath)
                    : EvaluationReport.Write(reportPath, result.GetValue(output), result.GetValue(quick), result.GetValue(million));
            }

            SimulationOptions options;
            try
            {
                options = new SimulationOptions
                {
                    Nodes = result.GetValue(nodes),
                    Seed = result.GetValue(seed),
                    K = result.GetValue(k),
                    Alpha = result.GetValue(alpha),
                    DisjointPaths = result.GetValue(d),
                    MedianRtt = TimeSpan.FromMilliseconds(result.GetValue(rtt)),
                    LossRate = result.GetValue(loss),
                    UnreachableFraction = result.GetValue(unreachable),
                    ClientMode = !result.GetValue(noClientMode),
                    NatMappingTimeout = ParseDuration(result.GetValue(natTimeout)!),
                    IpDiversityLimits = !result.GetValue(noIpLimits),
                    Duration = ParseDuration(result.GetValue(duration)!),
                    Churn = ParseChurn(result.GetValue(churn)!),
                    Adversaries = ParseAdversaries(result.GetValue(adversaries)!),
                    Eclipse = result.GetValue(eclipse) > 0 ? new EclipseOptions { Attackers = result.GetValue(eclipse) } : null,
                    Sybils = ParseSybils(result.GetValue(sybils)!),
                    Lookups = result.GetValue(lookups),
                    Gets = result.GetValue(gets),
                    Records = result.GetValue(records),
                    Republish = !result.GetValue(noRepublish),
                    JoinedTables = result.GetValue(tables) switch
                    {
                        "sampled" or "lazy" => false,
                        "joined" => true,
                        var other => throw new FormatException($"Unknown --tables '{other}' (sampled, lazy or joined)."),
                    },
                    LazyTables = result.GetValue(tables) == "lazy",
                };
                if (result.GetValue(ideal))
                {
                    options = options.Ideal();
                }
            }
            catch (FormatException e)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
                return 2;
            }

            return Run(options, result.GetValue(mode)!, result.GetValue(output));
        });
        return command;
    }

    internal static int Run(SimulationOptions options, string mode, string? output)
    {
        var console = AnsiConsole.Console;
        console.Write(new Rule($"[bold]kad sim[/] ({mode}, seed {options.Seed})").LeftJustified());
        SimulationSummary summary;
        RunCost cost;
        try
        {
            (summary, cost) = Measure(options, mode, Describe(options));
        }
        catch (SimulationInvariantException e)
        {
            console.MarkupLineInterpolated($"[red]Invariant failed (seed {options.Seed}): {e.Message}[/]");
            return 1;
        }
        catch (NotSupportedException e)
        {
            console.MarkupLineInterpolated($"[red]{e.Message}[/]");
            return 2;
        }

        console.Write(SummaryTable(summary));
        if (summary.Eclipse is { } eclipse)
        {
            var byPaths = string.Join(", ", eclipse.ByPaths.Select(p => $"{p.ReachedVictim:P1} at d = {p.DisjointPaths} ({p.MessagesMean:F1} requests)"));
            console.MarkupLine($"Eclipse of node 0: {eclipse.AttackerShare:P1} of its {eclipse.VictimTableSize} contacts are attackers; its lookups reach the closest honest node {eclipse.VictimLookupSuccess:P1}; others' lookups of it reach it {byPaths}; {eclipse.HonestTablesHoldingVictim:N0} honest tables hold it, {eclipse.ClosestHonestHoldingVictim} of the {summary.K} honest nodes closest to its ID.");
        }

        if (summary.Sybils is { } sybil)
        {
            console.MarkupLine($"Sybils: {sybil.PerTarget} ground next to each of {sybil.Targets} record keys, mean bucket {sybil.MeanBucket:F2}; each ID about 2^{sybil.Log2KeyGenerationsPerSybil:F1} key generations (static puzzle c1 = {sybil.StaticDifficulty}), all 2^{sybil.Log2KeyGenerationsTotal:F1}; GETs of attacked keys found the value {sybil.TargetedGetSuccess:P1}.");
        }

        if (summary.DeadAddressQueries > 0)
        {
            console.MarkupLine($"Queries to dead addresses handed out by poisoners: {summary.DeadAddressQueries:N0}.");
        }

        if (summary.Nat is { } nat)
        {
            console.MarkupLine($"Behind NATs: {nat.NattedNodes:N0} nodes, client mode {(nat.ClientMode ? "on" : "off")}; {nat.NattedContactsInPublicTables:N0} of them in public tables ({nat.NattedShareOfPublicContacts:P1} of public contacts); {nat.RequestsDroppedAtNats:N0} requests dropped at NATs; {nat.Keepalives:N0} keepalives.");
        }

        if (summary.Timeline.Count > 1)
        {
            var retrievable = summary.Timeline.Where(p => !double.IsNaN(p.Retrievable)).Select(p => p.Retrievable).DefaultIfEmpty(double.NaN);
            console.MarkupLine($"Retrievability over {summary.Timeline.Count} samples: min {retrievable.Min():P2}, mean {retrievable.Average():P2}; table live-contact fraction min {summary.Timeline.Min(p => p.LiveContactFraction):P1}.");
        }

        if (options.LazyTables)
        {
            console.MarkupLine($"Lazy tables: {summary.TablesDrawn:N0} of {summary.Nodes:N0} drawn (those the run read).");
        }

        console.MarkupLine($"[grey]Wall {cost.Wall.TotalSeconds:F1} s ({cost.BuildWall.TotalSeconds:F1} s building), CPU {cost.Cpu.TotalSeconds:F1} s, {summary.Events:N0} scheduler events, {summary.Messages:N0} messages simulated ({summary.Messages / Math.Max(cost.RunWall.TotalSeconds, 1e-9):N0}/s), managed memory {cost.BytesPerNode:N0} B per node, peak working set {cost.PeakWorkingSetBytes / (1 << 20):N0} MB.[/]");
        if (output is not null)
        {
            Directory.CreateDirectory(output);
            File.WriteAllText(Path.Combine(output, "summary.json"), summary.ToJson());
            Plots.WriteAll(summary, output);
            console.MarkupLineInterpolated($"Wrote {output}/summary.json and plots.");
        }

        return 0;
    }

    internal readonly record struct RunCost(TimeSpan Wall, TimeSpan BuildWall, TimeSpan RunWall, long BytesPerNode, long PeakWorkingSetBytes, TimeSpan Cpu);

    internal static (SimulationSummary Summary, RunCost Cost) Measure(SimulationOptions options, string mode, string scenario)
    {
        var clock = Stopwatch.StartNew();
        var cpu = CpuTime();
        if (mode == "wire")
        {
            var wire = WireSimulator.Run(options, scenario);
            return (wire, new RunCost(clock.Elapsed, TimeSpan.Zero, clock.Elapsed, 0, PeakWorkingSet(), CpuTime() - cpu));
        }

        if (mode != "message")
        {
            throw new NotSupportedException($"Unknown mode '{mode}': message or wire.");
        }

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var network = new MessageLevelNetwork(options);
        var build = clock.Elapsed;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var bytesPerNode = (after - before) / Math.Max(1, network.Nodes.Count);
        var summary = Simulator.Run(network, scenario);
        GC.KeepAlive(network);
        return (summary, new RunCost(clock.Elapsed, build, clock.Elapsed - build, bytesPerNode, PeakWorkingSet(), CpuTime() - cpu));
    }

    /// <summary>CPU time of the whole process (all threads, the GC's included): on a loaded machine, the cost a wall clock hides.</summary>
    private static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static long PeakWorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }

    internal static Table SummaryTable(SimulationSummary s)
    {
        var table = new Table().AddColumns("operation", "count", "success", "hops p50 / p99 / max", "latency p50 / p99", "messages mean / p99");
        void Row(string name, OperationStats o)
        {
            if (o.Count == 0) return;
            table.AddRow(name, $"{o.Count}", $"{o.SuccessRate:P2}", $"{o.HopsP50} / {o.HopsP99} / {o.HopsMax}", $"{o.LatencyP50Ms:F0} / {o.LatencyP99Ms:F0} ms", $"{o.MessagesMean:F1} / {o.MessagesP99}");
        }

        Row("FIND_NODE", s.FindNode);
        Row("GET", s.Get);
        Row("PUT", s.Put);
        Row("republish", s.Republish);
        Row("probe GET", s.Probes);
        table.Caption = new TableTitle($"{s.Nodes} nodes, k = {s.K}, α = {s.Alpha}, d = {s.DisjointPaths}, median RTT {s.MeasuredMedianRttMs} ms, seed {s.Seed}");
        return table;
    }

    internal static string Describe(SimulationOptions o)
    {
        var parts = new List<string> { $"{o.Nodes} nodes", $"d = {o.DisjointPaths}" };
        if (o.Churn is { } c) parts.Add($"churn {c.MedianSession.TotalHours:0.##} h sessions");
        if (o.Adversaries is { } a) parts.Add($"{a.Fraction:P0} {a.Kind}");
        if (o.Eclipse is { } e) parts.Add($"eclipse by {e.Attackers}");
        if (o.Sybils is { } y) parts.Add($"{y.PerTarget} Sybils next to each of {y.Targets} keys");
        if (!o.IpDiversityLimits) parts.Add("no IP limits");
        if (o.LossRate > 0) parts.Add($"{o.LossRate:P0} loss");
        if (o.UnreachableFraction > 0) parts.Add($"{o.UnreachableFraction:P0} NAT{(o.ClientMode ? ", client mode" : ", no client mode")}");
        if (o.Duration > TimeSpan.Zero && o.Churn is null) parts.Add($"over {o.Duration.TotalHours:0.##} h");
        if (o.JoinedTables) parts.Add("joined tables");
        if (o.LazyTables) parts.Add("lazy tables");
        if (!o.ObservedTimeouts) parts.Add("ideal");
        return string.Join(", ", parts);
    }

    internal static TimeSpan ParseDuration(string text)
    {
        text = text.Trim();
        if (text == "0") return TimeSpan.Zero;
        var unit = text[^1];
        if (!double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException($"Cannot read duration '{text}' (use e.g. 30s, 10m, 24h, 1d).");
        }

        return unit switch
        {
            's' => TimeSpan.FromSeconds(value),
            'm' => TimeSpan.FromMinutes(value),
            'h' => TimeSpan.FromHours(value),
            'd' => TimeSpan.FromDays(value),
            _ => throw new FormatException($"Cannot read duration '{text}' (use e.g. 30s, 10m, 24h, 1d)."),
        };
    }

    private static ChurnOptions? ParseChurn(string text) =>
        text is "none" or "0" ? null : new ChurnOptions { MedianSession = ParseDuration(text), MedianDowntime = ParseDuration(text) };

    private static SybilOptions? ParseSybils(string text)
    {
        if (text is "none" or "0") return null;
        var parts = text.Split(':');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var targets) || targets < 1
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var per) || per < 1)
        {
            throw new FormatException($"Cannot read Sybils '{text}' (use TARGETS:PER, e.g. 100:20).");
        }

        return new SybilOptions { Targets = targets, PerTarget = per };
    }

    private static AdversaryOptions? ParseAdversaries(string text)
    {
        if (text is "none" or "0") return null;
        var parts = text.Split(':');
        if (!double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var fraction) || fraction is < 0 or >= 1)
        {
            throw new FormatException($"Cannot read adversaries '{text}' (use FRACTION:KIND[:PREFIXES], e.g. 0.2:colluding).");
        }

        var kind = parts.Length > 1 && Enum.TryParse<AdversaryKind>(parts[1], ignoreCase: true, out var parsed) ? parsed
            : parts.Length > 1 ? throw new FormatException($"Unknown adversary kind '{parts[1]}'.") : AdversaryKind.Colluding;
        var prefixes = parts.Length > 2 ? int.Parse(parts[2], CultureInfo.InvariantCulture) : 0;
        return new AdversaryOptions { Fraction = fraction, Kind = kind, SybilPrefixes = prefixes };
    }
}
