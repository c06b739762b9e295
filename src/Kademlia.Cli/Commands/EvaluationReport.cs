using System.Globalization;
using System.Text;
using Kademlia.Identity;
using Kademlia.Simulation;
using Spectre.Console;

namespace Kademlia.Cli.Commands;

/// <summary>
/// <c>kad sim --report docs/EVALUATION.md</c>: runs the evaluation suite of the simulator issue and
/// writes the measured numbers next to the targets. Every scenario has a fixed seed, so the file
/// regenerates identically except the wall-clock section. <c>--check</c> reruns the fast subset of the
/// suite (the scenarios marked <see cref="Scenario.Checked"/>) and compares every section built only
/// from them with the committed file; CI runs it (<c>EvaluationDocumentTests</c>) and fails on a difference.
/// </summary>
internal static class EvaluationReport
{
    private const string AnalysisMarker = "<!-- Hand-written analysis: kept as is when eval/run.sh regenerates the numbers above. -->";

    /// <summary>What a section built only from checked scenarios says about itself.</summary>
    internal const string CheckedNote = "*Checked on every CI run: `dotnet test` (EvaluationDocumentTests) and `eval/run.sh --check` regenerate this section and fail when it differs from this file.*";

    /// <summary>One run of the suite.</summary>
    /// <param name="Name">The scenario's name in the tables.</param>
    /// <param name="Options">What it runs, seed included.</param>
    /// <param name="Mode">message, wire, or punch (the engine emulator's <see cref="HolePunchExperiment"/>; its options unused).</param>
    /// <param name="Plots">Whether its SVG plots are written.</param>
    /// <param name="Checked">Whether it belongs to the fast subset CI reruns.</param>
    private sealed record Scenario(string Name, SimulationOptions Options, string Mode = "message", bool Plots = false, bool Checked = false);

    private sealed record Measured(Scenario Scenario, SimulationSummary Summary, SimCommand.RunCost Cost);

    /// <summary>The hole-punch experiment's trials: every pair of NAT kinds, and pairs drawn from the mix.</summary>
    private sealed record PunchMeasured(IReadOnlyList<HolePunchTrial> Matrix, IReadOnlyList<HolePunchTrial> Mix, SimCommand.RunCost Cost);

    /// <summary>What one run of (part of) the suite measured.</summary>
    private sealed record SuiteRun(List<Measured> Results, PunchMeasured? Punch);

    private const string PunchScenario = "punch";

    /// <summary>A section of the document: its heading, the scenarios its numbers come from, and how to write it.</summary>
    /// <param name="Heading">The "## " line.</param>
    /// <param name="Needs">Scenarios it reads (empty: none).</param>
    /// <param name="WallClock">Whether it holds wall-clock or memory figures (never checked).</param>
    /// <param name="Write">Writes the body.</param>
    private sealed record Section(string Heading, string[] Needs, bool WallClock, Action<StringBuilder> Write);

    /// <summary>The suite: every scenario with its seed; <paramref name="quick"/> shrinks the networks.</summary>
    private static List<Scenario> Suite(bool quick, bool million)
    {
        var n = quick ? 2_000 : 10_000;
        var big = quick ? 10_000 : 100_000;
        var day = new SimulationOptions
        {
            Nodes = n, Seed = 3, Duration = TimeSpan.FromDays(1), Churn = new ChurnOptions(), Lookups = 1_000, Records = 100,
        };
        // Spread over an hour so that NAT mappings (30 s) expire between a node's requests, as they do on the internet.
        var natHalf = new SimulationOptions
        {
            Nodes = n, Seed = 9, Duration = TimeSpan.FromHours(1), Lookups = 2_000, Records = 100, UnreachableFraction = 0.5,
        };
        var scenarios = new List<Scenario>
        {
            new("baseline", new SimulationOptions { Nodes = n, Seed = 1, Lookups = 1_000, Records = 100 }, Plots: true, Checked: true),
            new("baseline-ideal", new SimulationOptions { Nodes = n, Seed = 1, Lookups = 1_000, Records = 100 }.Ideal(), Checked: true),
            new("baseline-joined", new SimulationOptions { Nodes = n, Seed = 1, Lookups = 1_000, Records = 100, JoinedTables = true }),
            new("baseline-d2", new SimulationOptions { Nodes = n, Seed = 1, Lookups = 1_000, Records = 100, DisjointPaths = 2 }, Checked: true),
            new("baseline-d4", new SimulationOptions { Nodes = n, Seed = 1, Lookups = 1_000, Records = 100, DisjointPaths = 4 }, Checked: true),
            new("baseline-d8", new SimulationOptions { Nodes = n, Seed = 1, Lookups = 1_000, Records = 100, DisjointPaths = 8 }, Checked: true),
            new("nat-loss", new SimulationOptions { Nodes = n, Seed = 2, Lookups = 1_000, Records = 100, UnreachableFraction = 0.2, LossRate = 0.01 }, Checked: true),
            new("nat-half", natHalf, Checked: true),
            new("nat-half-no-client-mode", natHalf with { ClientMode = false }, Checked: true),
            new("churn-day", day, Plots: true),
            new("churn-day-no-republish", day with { Republish = false }),
            new("churn-day-ideal", day.Ideal()),
        };
        foreach (var fraction in new[] { 0.2, 0.4 })
        {
            foreach (var d in new[] { 1, 4, 8 })
            {
                scenarios.Add(new($"colluding-{fraction * 100:0}-d{d}", new SimulationOptions
                {
                    Nodes = n, Seed = 4, Lookups = 2_000, Gets = 1_000, Records = 100, DisjointPaths = d,
                    Adversaries = new AdversaryOptions { Fraction = fraction, Kind = AdversaryKind.Colluding },
                }));
            }
        }

        foreach (var (kind, d) in new[] { (AdversaryKind.StoreDropper, 1), (AdversaryKind.StoreDropper, 4), (AdversaryKind.Garbage, 1), (AdversaryKind.Silent, 1) })
        {
            scenarios.Add(new($"{kind.ToString().ToLowerInvariant()}-20-d{d}", new SimulationOptions
            {
                Nodes = n, Seed = 5, Lookups = 500, Gets = 500, Records = 100, DisjointPaths = d,
                Adversaries = new AdversaryOptions { Fraction = 0.2, Kind = kind },
            }, Checked: true));
        }

        foreach (var d in new[] { 1, 4 })
        {
            scenarios.Add(new($"poisoning-20-d{d}", new SimulationOptions
            {
                Nodes = n, Seed = 5, Lookups = 500, Gets = 500, Records = 100, DisjointPaths = d,
                Adversaries = new AdversaryOptions { Fraction = 0.2, Kind = AdversaryKind.Poisoning },
            }, Checked: true));
        }

        foreach (var per in new[] { 5, 20 })
        {
            scenarios.Add(new($"sybils-{per}-per-key-d4", new SimulationOptions
            {
                Nodes = n, Seed = 11, Lookups = 500, Gets = 500, Records = 100, DisjointPaths = 4,
                Sybils = new SybilOptions { Targets = 100, PerTarget = per },
            }, Checked: true));
        }

        foreach (var limits in new[] { true, false })
        {
            scenarios.Add(new($"eclipse-limits-{(limits ? "on" : "off")}", new SimulationOptions
            {
                Nodes = n, Seed = 6, Lookups = 200, Gets = 0, Records = 0, IpDiversityLimits = limits, Eclipse = new EclipseOptions(),
            }, Checked: true));
        }

        scenarios.Add(new("eclipse-joined", new SimulationOptions
        {
            Nodes = n, Seed = 6, Lookups = 200, Gets = 0, Records = 0, JoinedTables = true, Eclipse = new EclipseOptions(),
        }));

        scenarios.Add(new("large", new SimulationOptions { Nodes = big, Seed = 7, Lookups = 1_000, Records = 100 }));
        if (million)
        {
            // Lazy tables: each drawn when the run first reads it, by the rule the other sections use for every node.
            scenarios.Add(new("million", new SimulationOptions { Nodes = quick ? 100_000 : 1_000_000, Seed = 10, Lookups = 1_000, Records = 100, LazyTables = true }));
        }

        scenarios.Add(new("wire", new SimulationOptions { Nodes = quick ? 40 : 100, Seed = 8, Lookups = 100, Gets = 100, Records = 20 }, Mode: "wire", Checked: true));
        scenarios.Add(new(PunchScenario, new SimulationOptions(), Mode: "punch", Checked: true));
        return scenarios;
    }

    /// <summary>Runs the whole suite and writes <paramref name="path"/> (the analysis under the marker is kept).</summary>
    public static int Write(string path, string? output, bool quick, bool million)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture; // the file reads the same on every machine
        var plotDirectory = output ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "eval");
        var results = RunAll(Suite(quick, million), plotDirectory);

        // The analysis under the marker is written by hand and kept when the numbers are regenerated; so is
        // the million-node section when this run left it out (it takes minutes).
        var previous = File.Exists(path) ? File.ReadAllText(path) : "";
        var analysis = previous.IndexOf(AnalysisMarker, StringComparison.Ordinal) is var at and >= 0 ? previous[at..] : AnalysisMarker + "\n";
        var keep = million ? null : SplitSections(previous).GetValueOrDefault(MillionHeading);
        // Its row of the cost table too: the section cites it.
        var keptCost = million ? null : previous.Split('\n').FirstOrDefault(line => line.StartsWith("| million |", StringComparison.Ordinal));
        File.WriteAllText(path, Render(results, quick, Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(path))!, plotDirectory), checkOnly: false, keep, keptCost) + "\n" + analysis);
        AnsiConsole.MarkupLineInterpolated($"Wrote {path}.");
        return 0;
    }

    /// <summary>
    /// Reruns the checked scenarios and compares every section built only from them with <paramref name="path"/>;
    /// prints what differs. Returns 0 when all match, 1 otherwise.
    /// </summary>
    public static int Check(string path)
    {
        var differences = Differences(path);
        foreach (var difference in differences)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{difference}[/]");
        }

        if (differences.Count == 0)
        {
            AnsiConsole.MarkupLineInterpolated($"{path}: every checked section matches a fresh run.");
        }
        else
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{path} differs from a fresh run; regenerate it with eval/run.sh and commit it.[/]");
        }

        return differences.Count == 0 ? 0 : 1;
    }

    /// <summary>The checked sections of <paramref name="path"/> that differ from a fresh run of the checked scenarios, each with its first differing line.</summary>
    internal static IReadOnlyList<string> Differences(string path) => Differences(File.ReadAllText(path), FreshCheckedSections());

    /// <summary>Runs the checked scenarios and renders the sections built only from them, by heading.</summary>
    internal static IReadOnlyDictionary<string, string> FreshCheckedSections()
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture; // the file reads the same on every machine
        var results = RunAll(Suite(quick: false, million: false).Where(s => s.Checked).ToList(), plotDirectory: null);
        return SplitSections(Render(results, quick: false, "eval", checkOnly: true, keep: null));
    }

    /// <summary>The sections of <paramref name="fresh"/> that <paramref name="document"/> lacks or words differently, each with its first differing line.</summary>
    internal static IReadOnlyList<string> Differences(string document, IReadOnlyDictionary<string, string> fresh)
    {
        var committed = SplitSections(document);
        var differences = new List<string>();
        foreach (var (heading, text) in fresh)
        {
            if (!committed.TryGetValue(heading, out var old))
            {
                differences.Add($"missing section '{heading}'");
                continue;
            }

            var a = old.Split('\n');
            var b = text.Split('\n');
            for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
            {
                var was = i < a.Length ? a[i] : "(end)";
                var now = i < b.Length ? b[i] : "(end)";
                if (was != now)
                {
                    differences.Add($"section '{heading}', line {i + 1}: committed '{was}', fresh run '{now}'");
                    break;
                }
            }
        }

        return differences;
    }

    private static SuiteRun RunAll(List<Scenario> scenarios, string? plotDirectory)
    {
        var results = new List<Measured>();
        PunchMeasured? punch = null;
        foreach (var scenario in scenarios)
        {
            if (scenario.Mode == "punch")
            {
                AnsiConsole.MarkupLineInterpolated($"[grey]running {scenario.Name} (engine emulator: {NatKinds.Names.Count * NatKinds.Names.Count} pairs of NAT kinds, {HolePunchExperiment.MixPairs} pairs from the NAT mix)...[/]");
                punch = MeasurePunch();
                continue;
            }

            AnsiConsole.MarkupLineInterpolated($"[grey]running {scenario.Name} ({SimCommand.Describe(scenario.Options)}, {scenario.Mode})...[/]");
            var (summary, cost) = SimCommand.Measure(scenario.Options, scenario.Mode, scenario.Name);
            AnsiConsole.Write(SimCommand.SummaryTable(summary));
            results.Add(new Measured(scenario, summary, cost));
            if (scenario.Plots && plotDirectory is not null)
            {
                var directory = Path.Combine(plotDirectory, scenario.Name);
                Directory.CreateDirectory(directory);
                File.WriteAllText(Path.Combine(directory, "summary.json"), summary.ToJson());
                Plots.WriteAll(summary, directory);
            }
        }

        return new SuiteRun(results, punch);
    }

    private static PunchMeasured MeasurePunch()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var matrix = HolePunchExperiment.Matrix();
        var mix = HolePunchExperiment.Mix();
        process.Refresh();
        return new PunchMeasured(matrix, mix, new SimCommand.RunCost(clock.Elapsed, TimeSpan.Zero, clock.Elapsed, 0, process.PeakWorkingSet64, process.TotalProcessorTime - cpu));
    }

    /// <summary>The "## " sections of a document up to the analysis marker, by heading, each from its heading line to the next.</summary>
    private static Dictionary<string, string> SplitSections(string document)
    {
        var end = document.IndexOf(AnalysisMarker, StringComparison.Ordinal);
        var lines = (end >= 0 ? document[..end] : document).Split('\n');
        var sections = new Dictionary<string, string>();
        string? heading = null;
        var body = new StringBuilder();
        foreach (var line in lines.Append("## "))
        {
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                if (heading is not null)
                {
                    sections[heading] = body.ToString().TrimEnd('\n');
                }

                heading = line;
                body.Clear();
            }

            if (heading is not null)
            {
                body.Append(line).Append('\n');
            }
        }

        return sections;
    }

    private const string MillionHeading = "## One million nodes";

    private static string Render(SuiteRun run, bool quick, string plots, bool checkOnly, string? keep, string? keptCost = null)
    {
        var results = run.Results;
        var byName = results.ToDictionary(r => r.Scenario.Name);
        var checkedNames = Suite(quick, million: true).Where(s => s.Checked).Select(s => s.Name).ToHashSet();
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');
        SimulationSummary S(string name) => byName[name].Summary;

        Line("# Evaluation");
        Line();
        Line("Generated by `eval/run.sh` (that is, `dotnet run --project src/Kademlia.Cli -c Release -- sim --report docs/EVALUATION.md`)." + (quick ? " **Quick mode: smaller networks than the targets ask for.**" : ""));
        Line("Every scenario has a fixed seed; rerunning gives the same numbers except the wall-clock section. Latency is virtual time on the simulator's clock.");
        Line("Message level unless marked *wire*: assigned IDs, compact sampled routing tables, the real `DisjointLookup` state machine; see \"How the simulator works\" below for what is modelled.");
        Line("Sections marked as checked are regenerated on every CI run from a fast subset of the suite (the 10,000-node scenarios without churn or colluders, the wire run and the hole punches) and must match this file; the others come from the same code but take minutes, so only `eval/run.sh` regenerates them.");

        var sections = new List<Section>
        {
            new("## Targets", ["baseline", "baseline-joined", "churn-day", "colluding-20-d4", "colluding-20-d8", "colluding-40-d8", "nat-half", "eclipse-limits-on", "eclipse-joined"], false, md =>
            {
                var baseline = S("baseline");
                var day = S("churn-day");
                var dayMin = day.Timeline.Where(p => !double.IsNaN(p.Retrievable)).Min(p => p.Retrievable);
                md.Append($"| target (at {baseline.Nodes:N0} nodes, median RTT {baseline.MeasuredMedianRttMs.ToString(c)} ms) | measured | met |\n|---|---|---|\n");
                Target(md, "GET p50 ≤ 3 hops, p99 ≤ 5", $"{baseline.Get.HopsP50} / {baseline.Get.HopsP99}", baseline.Get.HopsP50 <= 3 && baseline.Get.HopsP99 <= 5);
                Target(md, "GET p50 ≤ 100 ms", $"{baseline.Get.LatencyP50Ms.ToString(c)} ms", baseline.Get.LatencyP50Ms <= 100);
                Target(md, "FIND_NODE p50 ≤ 250 ms", $"{baseline.FindNode.LatencyP50Ms.ToString(c)} ms", baseline.FindNode.LatencyP50Ms <= 250);
                var joined = S("baseline-joined");
                Target(md, "joined tables, no oracle, jitter on (issue 13): FIND_NODE p50 ≤ 300 ms, success ≥ 99.9%", $"{joined.FindNode.LatencyP50Ms.ToString(c)} ms, {joined.FindNode.SuccessRate:P2}", joined.FindNode.LatencyP50Ms <= 300 && joined.FindNode.SuccessRate >= 0.999);
                Target(md, "joined tables, no oracle, jitter on (issue 13): GET p50 ≤ 120 ms, p99 hops ≤ 5", $"{joined.Get.LatencyP50Ms.ToString(c)} ms, {joined.Get.HopsP99} hops", joined.Get.LatencyP50Ms <= 120 && joined.Get.HopsP99 <= 5);
                Target(md, "≥ 99.9% retrievability under churn (1 h median sessions, one day, republish)", $"min {dayMin:P2}, all probes {day.Probes.SuccessRate:P2}", dayMin >= 0.999);
                foreach (var d in new[] { 4, 8 })
                {
                    var r = S($"colluding-20-d{d}");
                    Target(md, $"≥ 99.9% lookup success at 20% colluders, d = {d}", $"FIND_NODE {r.FindNode.SuccessRate:P2}, GET {r.Get.SuccessRate:P2}", r.FindNode.SuccessRate >= 0.999);
                }

                var heavy = S("colluding-40-d8");
                Target(md, "≥ 99% lookup success at 40% colluders, d = 8", $"FIND_NODE {heavy.FindNode.SuccessRate:P2}, GET {heavy.Get.SuccessRate:P2}", heavy.FindNode.SuccessRate >= 0.99);
                foreach (var name in new[] { "eclipse-limits-on", "eclipse-joined" })
                {
                    var reached = S(name).Eclipse!.ByPaths.FirstOrDefault(p => p.DisjointPaths == 4)?.ReachedVictim ?? 0;
                    Target(md, $"eclipsed victim reached by others' lookups ≥ 95% at d = 4 ({(name == "eclipse-joined" ? "victim joins last, joined tables" : "sampled tables")})", reached.ToString("P1", c), reached >= 0.95);
                }

                var natHalf = S("nat-half");
                Target(md, "≥ 99.9% lookup success with half the nodes behind NATs, client mode", $"FIND_NODE {natHalf.FindNode.SuccessRate:P2}, GET {natHalf.Get.SuccessRate:P2}", natHalf.FindNode.SuccessRate >= 0.999 && natHalf.Get.SuccessRate >= 0.999);
                Target(md, "0 NATed contacts in public tables with half the nodes behind NATs, client mode", $"{natHalf.Nat!.NattedContactsInPublicTables} (of {natHalf.Nat.NattedNodes:N0} NATed nodes)", natHalf.Nat.NattedContactsInPublicTables == 0);
            }),
            new("## Lookups at 10,000 nodes", ["baseline", "baseline-ideal", "baseline-d4", "nat-loss"], false, md =>
            {
                md.Append("FIND_NODE succeeds when the closest honest live node answered; GET when a valid value came back. Hops are the depth of the closest answering node (GET: of the node that returned the value; 0 when the asker holds it). Messages are requests sent.\n\n");
                OperationTable(md, results.Where(r => r.Scenario.Name is "baseline" or "baseline-ideal" or "baseline-d4" or "nat-loss"));
                md.Append($"\nPlots of the baseline: [hops CDF]({plots}/baseline/hops-cdf.svg), [latency CDF]({plots}/baseline/latency-cdf.svg), [messages per lookup]({plots}/baseline/messages-cdf.svg), [success rate]({plots}/baseline/success-rate.svg).\n");
            }),
            new("## What the oracles hid", ["baseline", "baseline-ideal", "baseline-joined", "churn-day", "churn-day-ideal"], false, md =>
            {
                md.Append("The headline runs model per-message jitter (σ = 0.1 on every one-way delay), a processing delay per request (exponential, mean 1 ms), timeouts from the RTTs each node observed (SRTT + 4·RTTVAR per contact, the lookup's own estimate for a contact never measured) and the routing table's eviction policy (5 failures in a row; a full bucket pings its oldest contact when a newcomer arrives). *-ideal* runs the same seed with the simulator's former oracles: no jitter or processing delay, 3 × the true RTT as every table contact's timeout, eviction at the first failure. *-joined* builds the tables by the protocol's joins (each node in turn pings node 0, looks up its own ID and refreshes every bucket farther than its closest neighbour; every message simulated and counted) instead of sampling them from the whole network's ID ranges. During a run the tables are kept by the engine's own messages: every hour a node looks up a random ID in each bucket up to its nearest non-empty one, a node coming back runs the engine's bootstrap through its kept table (a random online seed when nobody answers), and a new node starts from such a seed; dead contacts leave only by the failure rule. The *-ideal* runs keep the former oracle for this too (refresh drops who would not answer and refills from the online nodes in range, and a returning node is learnt by its k closest, without messages).\n\n");
                md.Append("Each row against the *-ideal* run of the same workload and seed (×: its latency divided by the ideal one; above 1 is what the oracles hid). *oracles left* names the shortcuts each run still takes at build time; *maintenance messages* counts the requests that kept the tables during the run (refreshes and rejoins).\n\n");
                md.Append("| scenario | oracles left | FIND_NODE p50 / p99 (ms) | GET p50 / p99 (ms) | messages per FIND_NODE / GET | FIND_NODE / GET success | FIND_NODE p50 / p99 against ideal | GET p50 / p99 against ideal | table-building messages | maintenance messages | liveness pings |\n");
                md.Append("|---|---|---|---|---|---|---|---|---|---|---|\n");
                foreach (var (name, ideal) in new[] { ("baseline-ideal", "baseline-ideal"), ("baseline", "baseline-ideal"), ("baseline-joined", "baseline-ideal"), ("churn-day-ideal", "churn-day-ideal"), ("churn-day", "churn-day-ideal") })
                {
                    var r = byName[name];
                    var s = r.Summary;
                    var o = S(ideal);
                    string Ratio(double a, double b) => name == ideal ? "ideal" : $"{(a / b).ToString("0.00", c)}×";
                    var oracles = !r.Scenario.Options.ObservedTimeouts ? "all: sampled tables, timeouts from the true RTT, no jitter or processing delay, eviction at the first failure" : r.Scenario.Options.JoinedTables ? "none" : "sampled tables";
                    md.Append($"| {name} | {oracles} | {s.FindNode.LatencyP50Ms.ToString(c)} / {s.FindNode.LatencyP99Ms.ToString(c)} | {s.Get.LatencyP50Ms.ToString(c)} / {s.Get.LatencyP99Ms.ToString(c)} | {s.FindNode.MessagesMean.ToString(c)} / {s.Get.MessagesMean.ToString(c)} | {s.FindNode.SuccessRate:P2} / {s.Get.SuccessRate:P2} | {Ratio(s.FindNode.LatencyP50Ms, o.FindNode.LatencyP50Ms)} / {Ratio(s.FindNode.LatencyP99Ms, o.FindNode.LatencyP99Ms)} | {Ratio(s.Get.LatencyP50Ms, o.Get.LatencyP50Ms)} / {Ratio(s.Get.LatencyP99Ms, o.Get.LatencyP99Ms)} | {s.JoinMessages:N0} | {s.MaintenanceMessages:N0} | {s.Pings:N0} |\n");
                }
            }),
            new("## Full wire", ["wire"], false, md =>
            {
                var wire = S("wire");
                md.Append($"{wire.Nodes:N0} real engines (codec, Noise sessions, proof-of-work at difficulty 1, record validation) exchanging datagrams on the virtual clock, each bootstrapped from node 0, with the message level's latency model (median RTT {wire.MeasuredMedianRttMs.ToString(c)} ms over random pairs), its jitter and its processing delay (a node's replies leave a mean of 1 ms after it handled the datagram).\n\n");
                OperationTable(md, [byName["wire"]]);
            }),
            new("## 100,000 nodes", ["large"], false, md => OperationTable(md, [byName["large"]])),
            new(MillionHeading, ["million"], false, md =>
            {
                var million = byName["million"];
                md.Append($"Built and run by `eval/run.sh --million` only (not by the CI check). Wall clock and memory of this run are in the last section. ");
                md.Append($"Tables are lazy (`kad sim --tables lazy`): a node's table is sampled from the ID ranges, by the rule the other sections apply to every node while building, when the run first reads it (a lookup queries the node, or it receives a request); with nobody joining or leaving that is the same network in distribution. This run drew {million.Summary.TablesDrawn:N0} of {million.Summary.Nodes:N0} tables.\n\n");
                OperationTable(md, [million]);
            }),
            new("## Half the nodes behind NATs", ["nat-half", "nat-half-no-client-mode", "nat-loss"], false, md =>
            {
                var natHalfRun = S("nat-half");
                var natHalfReport = natHalfRun.Nat!;
                var options = byName["nat-half"].Scenario.Options;
                md.Append($"{natHalfRun.Nodes:N0} nodes, half of them (node 0 excepted, drawn at random: {natHalfReport.NattedNodes:N0}) behind a NAT that admits a peer only for {options.NatMappingTimeout.TotalSeconds.ToString(c)} s after the node last sent to it (address-dependent filtering, outbound refresh: the home router of issue 14). Workload spread over one hour from random nodes, NATed or not: {natHalfRun.FindNode.Count:N0} FIND_NODE, {natHalfRun.Get.Count:N0} GET of {natHalfRun.Put.Count} records published at the start, hourly bucket refresh, a probe GET of every record every 30 minutes; no loss, no churn. With client mode a NATed node's requests carry the client flag, so no receiver puts it in its table and it never appears in an answer; without, it enters tables like any node (as the engine did before client mode) and a request to it times out unless it sent to the asker within the timeout. The success oracle is the closest *reachable* honest node: the node a lookup must reach in either mode. Counts of NATed contacts are taken at the end of the run; keepalives (every {options.KeepaliveInterval.TotalSeconds.ToString(c)} s to each of a client's {options.KeepalivePeers} closest contacts, as the engine) are counted, not simulated.\n\n");
                OperationTable(md, results.Where(r => r.Scenario.Name.StartsWith("nat-half", StringComparison.Ordinal)));
                md.Append("\n| scenario | NATed | client mode | FIND_NODE success | GET success | FIND_NODE latency p50 / p95 (ms) | GET latency p50 / p95 (ms) | messages per FIND_NODE / GET | requests dropped at NATs | NATed contacts in public tables | share of public contacts | keepalives sent |\n");
                md.Append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
                foreach (var r in results.Where(r => r.Summary.Nat is not null && r.Scenario.Name.StartsWith("nat-", StringComparison.Ordinal)))
                {
                    var s = r.Summary;
                    var nat = s.Nat!;
                    md.Append($"| {s.Scenario} | {r.Scenario.Options.UnreachableFraction:P0}{(r.Scenario.Options.LossRate > 0 ? $", {r.Scenario.Options.LossRate:P0} loss" : "")} | {(nat.ClientMode ? "on" : "off")} | {s.FindNode.SuccessRate:P2} | {s.Get.SuccessRate:P2} | {s.FindNode.LatencyP50Ms.ToString(c)} / {s.FindNode.LatencyP95Ms.ToString(c)} | {s.Get.LatencyP50Ms.ToString(c)} / {s.Get.LatencyP95Ms.ToString(c)} | {s.FindNode.MessagesMean.ToString(c)} / {s.Get.MessagesMean.ToString(c)} | {nat.RequestsDroppedAtNats:N0} | {nat.NattedContactsInPublicTables:N0} | {nat.NattedShareOfPublicContacts:P1} | {nat.Keepalives:N0} |\n");
                }
            }),
            new("## Player to player across NATs", [PunchScenario], false, md => PunchSection(md, run.Punch!)),
            new("## One simulated day of churn", ["churn-day", "churn-day-no-republish"], false, md =>
            {
                var day = S("churn-day");
                md.Append($"{day.Nodes:N0} honest nodes, exponential sessions and downtimes with 1 h medians (about half the nodes online at any time), 10% of departures for good, each replaced by a fresh node. {day.Put.Count} records published at the start; every hour each record is re-stored on the current k closest by its publisher or, when the publisher is offline, by a live holder; every 30 minutes every record is probed with a GET from a random live node. Returning nodes keep their table and records (the daemon persists both).\n\n");
                OperationTable(md, results.Where(r => r.Scenario.Name.StartsWith("churn", StringComparison.Ordinal)));
                md.Append("\n| hour | online | retrieved (with republish) | held by a live node | mean live replicas | retrieved (no republish) | mean contacts | live contacts |\n");
                md.Append("|---|---|---|---|---|---|---|---|\n");
                var without = S("churn-day-no-republish").Timeline;
                for (var i = 0; i < day.Timeline.Count; i += 4)
                {
                    var p = day.Timeline[i];
                    var q = i < without.Count ? without[i] : null;
                    md.Append($"| {p.Hours.ToString("0.#", c)} | {p.OnlineNodes} | {p.Retrievable:P1} | {p.Replicated:P1} | {p.MeanReplicas.ToString(c)} | {(q is null ? "" : q.Retrievable.ToString("P1", c))} | {p.MeanContacts.ToString(c)} | {p.LiveContactFraction:P1} |\n");
                }

                md.Append($"\nPlots: [record survival]({plots}/churn-day/record-survival.svg), [routing-table health]({plots}/churn-day/table-health.svg), [latency CDF]({plots}/churn-day/latency-cdf.svg).\n");
            }),
            new("## Colluding adversaries", ["colluding-20-d1", "colluding-20-d4", "colluding-20-d8", "colluding-40-d1", "colluding-40-d4", "colluding-40-d8"], false, md =>
            {
                md.Append("Colluding nodes answer every lookup with the k closest colluders (hiding honest nodes) and drop stores. Node 0 is always honest; adversaries are drawn at random from the rest and are not in the success oracle. GETs read records published in the same adversarial network.\n\n");
                AdversaryTable(md, results.Where(r => r.Scenario.Name.StartsWith("colluding-", StringComparison.Ordinal)));
            }),
            new("## Store droppers, garbage answers and silent nodes", ["storedropper-20-d1", "storedropper-20-d4", "garbage-20-d1", "silent-20-d1"], false, md =>
            {
                md.Append("Store droppers route honestly, acknowledge STOREs and drop them. Garbage answerers send answers that fail to verify (the engine counts them as failures). Silent nodes never answer. 20% of the nodes each time, drawn as above.\n\n");
                AdversaryTable(md, results.Where(r => r.Scenario.Name is "storedropper-20-d1" or "storedropper-20-d4" or "garbage-20-d1" or "silent-20-d1"));
            }),
            new("## Eclipse of one victim", ["eclipse-limits-on", "eclipse-limits-off"], false, md =>
            {
                var options = byName["eclipse-limits-on"].Scenario.Options;
                md.Append($"{options.Eclipse!.Attackers} attackers with IDs ground into node 0's buckets (k per bucket, from the farthest bucket inwards), all from {options.Eclipse.Prefixes} IPv4 /24 prefixes, colluding; their IDs cost {EclipseCost(options)} (an ID in bucket b of the victim takes about 2^(b+1) key generations, each meeting the static puzzle, 2^{NetworkParameters.Default.StaticDifficulty}). Sampled tables: the victim has just restarted, so the attackers reach it first and take every slot the table allows; honest nodes then fill what is left, and the honest nodes' tables hold the victim as a sample of its ID range would. Others' lookups of the victim's ID, from random honest nodes, are measured on the same network with each d (cell: share that reached the victim, requests per lookup).\n\n");
                EclipseTable(md, results.Where(r => r.Scenario.Name is "eclipse-limits-on" or "eclipse-limits-off"));
            }),
            new("## Eclipse at join time", ["eclipse-joined"], false, md =>
            {
                var joined = S("eclipse-joined");
                md.Append($"The same attack on tables built by joins: every honest node joins in turn through node 1, then the attackers join, then the victim (node 0) restarts with an empty table and joins last: the attackers reach it first, then it pings node 1, looks up its own ID and refreshes its buckets, every message simulated ({joined.JoinMessages:N0} for all the joins). IP-diversity limits on.\n\n");
                EclipseTable(md, [byName["eclipse-joined"]]);
            }),
            new("## Disjoint paths: cost and benefit", ["baseline", "baseline-d2", "baseline-d4", "baseline-d8", "eclipse-limits-on"], false, md =>
            {
                md.Append("The same workload and seed with d = 1, 2, 4 and 8 disjoint paths (sampled tables, no adversary), and others' lookups of the eclipse victim above (limits on) at each d.\n\n");
                md.Append("| d | requests per FIND_NODE | requests per GET | FIND_NODE p50 / p99 (ms) | GET p50 / p99 (ms) | FIND_NODE / GET success | eclipsed victim reached by others |\n");
                md.Append("|---|---|---|---|---|---|---|\n");
                var eclipse = S("eclipse-limits-on").Eclipse!;
                foreach (var name in new[] { "baseline", "baseline-d2", "baseline-d4", "baseline-d8" })
                {
                    var b = S(name);
                    var reached = eclipse.ByPaths.FirstOrDefault(p => p.DisjointPaths == b.DisjointPaths);
                    md.Append($"| {b.DisjointPaths} | {b.FindNode.MessagesMean.ToString(c)} | {b.Get.MessagesMean.ToString(c)} | {b.FindNode.LatencyP50Ms.ToString(c)} / {b.FindNode.LatencyP99Ms.ToString(c)} | {b.Get.LatencyP50Ms.ToString(c)} / {b.Get.LatencyP99Ms.ToString(c)} | {b.FindNode.SuccessRate:P2} / {b.Get.SuccessRate:P2} | {(reached is null ? "" : reached.ReachedVictim.ToString("P1", c))} |\n");
                }
            }),
            new("## Table poisoning and key-targeted Sybils", ["poisoning-20-d1", "poisoning-20-d4", "sybils-5-per-key-d4", "sybils-20-per-key-d4"], false, md =>
            {
                md.Append("Poisoners (20% of the nodes) answer every lookup with the k closest nodes they know of, having crawled the network: their fellow poisoners at their own addresses and every honest node at a fresh dead address; they drop stores. A lookup keeps every address it hears for an ID (up to 16) and tries the next when one times out, and a disjoint path takes over a node another path reached only at dead addresses; the asker's routing table is charged a failure for each dead address, as the engine charges the ID.\n\n");
                md.Append("| scenario | d | FIND_NODE success | GET success | FIND_NODE latency p50 / p99 | messages per FIND_NODE / GET | queries to dead addresses |\n");
                md.Append("|---|---|---|---|---|---|---|\n");
                foreach (var name in new[] { "poisoning-20-d1", "poisoning-20-d4" })
                {
                    var p = S(name);
                    md.Append($"| {name} | {p.DisjointPaths} | {p.FindNode.SuccessRate:P2} | {p.Get.SuccessRate:P2} | {p.FindNode.LatencyP50Ms.ToString(c)} / {p.FindNode.LatencyP99Ms.ToString(c)} ms | {p.FindNode.MessagesMean.ToString(c)} / {p.Get.MessagesMean.ToString(c)} | {p.DeadAddressQueries:N0} |\n");
                }

                md.Append($"\nSybils ground next to record keys: before the records are published, the attacker makes PER IDs in bucket b of each of the 100 keys, b one more than the bits the closest node shares with the key, so that they are the closest nodes to it; they collude (answer with each other, drop stores). Cost per ID: about 2^(b+1) key generations, each meeting the static puzzle (c1 = {NetworkParameters.Default.StaticDifficulty}), so 2^(b+1+{NetworkParameters.Default.StaticDifficulty}); the dynamic puzzle adds 2^{NetworkParameters.Default.DynamicDifficulty} hashes per ID. All 100 records are attacked; GETs are of those records.\n\n");
                md.Append("| scenario | d | Sybils per key | mean bucket b | key generations per Sybil | all Sybils | GET success | FIND_NODE success (random targets) |\n");
                md.Append("|---|---|---|---|---|---|---|---|\n");
                foreach (var name in new[] { "sybils-5-per-key-d4", "sybils-20-per-key-d4" })
                {
                    var y = S(name);
                    var r = y.Sybils!;
                    md.Append($"| {name} | {y.DisjointPaths} | {r.PerTarget} | {r.MeanBucket.ToString("0.00", c)} | 2^{r.Log2KeyGenerationsPerSybil.ToString("0.0", c)} | 2^{r.Log2KeyGenerationsTotal.ToString("0.0", c)} | {r.TargetedGetSuccess:P2} | {y.FindNode.SuccessRate:P2} |\n");
                }
            }),
            new("## Cost of the runs (wall clock: not checked, varies with the machine's load)", [], true, md =>
            {
                md.Append("| scenario | nodes | wall (s) | of which building (s) | CPU (s) | scheduler events | messages simulated | messages per second | managed bytes per node after building | peak working set (MB) |\n");
                md.Append("|---|---|---|---|---|---|---|---|---|---|\n");
                foreach (var r in results)
                {
                    var s = r.Summary;
                    var rate = s.Messages / Math.Max(r.Cost.RunWall.TotalSeconds, 1e-9);
                    md.Append($"| {s.Scenario} | {s.Nodes:N0} | {r.Cost.Wall.TotalSeconds.ToString("F1", c)} | {r.Cost.BuildWall.TotalSeconds.ToString("F1", c)} | {r.Cost.Cpu.TotalSeconds.ToString("F1", c)} | {s.Events:N0} | {s.Messages:N0} | {rate:N0} | {(r.Cost.BytesPerNode == 0 ? "" : r.Cost.BytesPerNode.ToString("N0", c))} | {(r.Cost.PeakWorkingSetBytes / (1 << 20)).ToString("N0", c)} |\n");
                }

                if (keptCost is not null && !byName.ContainsKey("million"))
                {
                    md.Append(keptCost).Append('\n'); // kept from the last --million run, as its section is
                }

                if (run.Punch is { } punch)
                {
                    var pairs = punch.Matrix.Count + punch.Mix.Count;
                    md.Append($"| {PunchScenario} ({pairs} pairs of players, engine emulator) | {PlayerPair.DefaultServers + 2} per pair | {punch.Cost.Wall.TotalSeconds.ToString("F1", c)} |  | {punch.Cost.Cpu.TotalSeconds.ToString("F1", c)} |  |  |  |  | {(punch.Cost.PeakWorkingSetBytes / (1 << 20)).ToString("N0", c)} |\n");
                }

                md.Append("\nWall-clock times are from a shared 2-core machine and vary with its load; CPU time (all threads of the process, the garbage collector's included) is what a run costs. The peak working set is the process's, so it only grows down the table.\n");
            }),
            new("## How the simulator works, and what it leaves out", [], false, md =>
            {
                foreach (var line in HowItWorks)
                {
                    md.Append(line).Append('\n');
                }
            }),
        };

        foreach (var section in sections)
        {
            var available = section.Needs.All(n => byName.ContainsKey(n) || (n == PunchScenario && run.Punch is not null));
            if (checkOnly && (section.WallClock || !available))
            {
                continue;
            }

            if (!available)
            {
                if (section.Heading == MillionHeading && keep is not null)
                {
                    Line();
                    md.Append(keep).Append('\n');
                }

                continue;
            }

            Line();
            Line(section.Heading);
            Line();
            if (!section.WallClock && section.Needs.All(checkedNames.Contains))
            {
                Line(CheckedNote);
                Line();
            }

            section.Write(md);
        }

        return md.ToString();
    }

    /// <summary>"Player to player across NATs": the NAT matrix and the mix, from <see cref="HolePunchExperiment"/>.</summary>
    private static void PunchSection(StringBuilder md, PunchMeasured punch)
    {
        var c = CultureInfo.InvariantCulture;
        static string Path(PeerPath via) => via.ToString().ToLowerInvariant();
        static string Ms(TimeSpan? t) => t is { } v ? v.TotalMilliseconds.ToString("N0", CultureInfo.InvariantCulture) + " ms" : "none";
        var keepalivePeers = new Kademlia.Engine.EngineOptions().KeepalivePeers;
        md.Append($"Two players behind NATs among {PlayerPair.DefaultServers} public nodes, median RTT {PlayerPair.MedianRtt.TotalMilliseconds.ToString(c)} ms, no loss, in the engine emulator (`EngineNetwork`: real engines, codec and Noise sessions, virtual time; `HolePunchExperiment`). Both players have run {PlayerPair.Warmup.TotalMinutes.ToString(c)} minutes: each found itself private, turned client and keeps sessions with its {keepalivePeers} closest contacts, which are its rendezvous points. The joiner calls `Connect` with the host's rendezvous points: a rendezvous passes the PUNCH_REQUEST on to the host as PUNCH_NOTIFY, both players send to each other's outside endpoints, and when nothing gets through within the punch window (and its margin) the session is relayed through the rendezvous in RELAY frames, IK handshake included. The joiner then sends one app datagram (the time from `Connect` to its delivery at the host is the *time to the first message*), and each player sends {HolePunchExperiment.ExchangeCount} more, 50 ms apart.\n\n");

        var kinds = NatKinds.Names;
        var asTheory = punch.Matrix.Count(t => t.AsTheorySays);
        md.Append($"Every pair of the four classic NAT kinds (RFC 3489 names; seeds {HolePunchExperiment.MatrixSeed}–{HolePunchExperiment.MatrixSeed + punch.Matrix.Count - 1}), joiner by row, host by column. Theory (RFC 5128 §3–4) lets a punch through when both NATs map independently of the destination, or when one maps per destination and the other does not filter by port; {asTheory} of {punch.Matrix.Count} pairs end as it says{(asTheory == punch.Matrix.Count ? "" : " (the others are marked **not as theory**)")}. Each cell: the path, the time to the first message, and the app datagrams delivered of those sent.\n\n");
        md.Append("| joiner \\ host | " + string.Join(" | ", kinds) + " |\n");
        md.Append("|---|" + string.Concat(kinds.Select(_ => "---|")) + "\n");
        foreach (var joiner in kinds)
        {
            md.Append($"| {joiner} |");
            foreach (var host in kinds)
            {
                var t = punch.Matrix.Single(x => x.JoinerKind == joiner && x.HostKind == host);
                md.Append($" {Path(t.Via)}{(t.AsTheorySays ? "" : " **not as theory**")}, {Ms(t.FirstMessage)}, {t.Delivered}/{t.Sent} |");
            }

            md.Append('\n');
        }

        var first = HolePunchExperiment.MixSeed;
        md.Append($"\nPairs drawn from a NAT mix (draws seeded {first}, pair n's network {first} + n): {NatMix.EndpointIndependentShare:P0} of NATs map independently of the destination (Ford, Srisuresh and Kegel, \"Peer-to-Peer Communication Across Network Address Translators\", USENIX ATC 2005: {NatMix.EndpointIndependentShare:P0} of the NATs they tested support UDP hole punching), the rest are symmetric; the split of the {NatMix.EndpointIndependentShare:P0} over full, restricted and port-restricted cones is *assumed* even (that survey does not give it).\n\n");
        md.Append("| pair | joiner | host | theory | path | time to the first message | delivered |\n");
        md.Append("|---|---|---|---|---|---|---|\n");
        for (var i = 0; i < punch.Mix.Count; i++)
        {
            var t = punch.Mix[i];
            md.Append($"| {i} | {t.JoinerKind} | {t.HostKind} | {(t.DirectInTheory ? "direct" : "relayed")} | {Path(t.Via)} | {Ms(t.FirstMessage)} | {t.Delivered}/{t.Sent} |\n");
        }

        md.Append("\n| path | pairs | time to the first message: median / max |\n|---|---|---|\n");
        foreach (var via in new[] { PeerPath.Direct, PeerPath.Relayed })
        {
            var times = punch.Mix.Where(t => t.Via == via && t.FirstMessage is not null).Select(t => t.FirstMessage!.Value.TotalMilliseconds).Order().ToList();
            var median = times.Count == 0 ? double.NaN : times.Count % 2 == 1 ? times[times.Count / 2] : (times[(times.Count / 2) - 1] + times[times.Count / 2]) / 2;
            md.Append($"| {Path(via)} | {punch.Mix.Count(t => t.Via == via)} of {punch.Mix.Count} | {(times.Count == 0 ? "" : $"{median.ToString("N0", c)} / {times[^1].ToString("N0", c)} ms")} |\n");
        }

        var direct = punch.Mix.Count(t => t.Via == PeerPath.Direct);
        md.Append($"\n{((double)direct / punch.Mix.Count).ToString("P0", c)} of these pairs punch; {punch.Mix.Count(t => t.AsTheorySays)} of {punch.Mix.Count} end as theory says, and {punch.Mix.Count(t => t.FirstMessage is not null && t.Delivered == t.Sent)} of {punch.Mix.Count} deliver every app datagram. Virtual time on an emulated network; docs/NAT.md gives the same times measured between real NATs (tests/netns/lobby-nat.sh: two private network namespaces behind nftables masquerade, a public one between them).\n");
    }

    private static readonly string[] HowItWorks =
    [
        "- **One seed.** Every choice (IDs, addresses, latencies, adversaries, churn times, workload, losses; on the wire also every engine's request IDs and its session layer's keys and indexes) comes from one `System.Random` seeded by the scenario; the event queue breaks ties by insertion order. `SimulatorTests.The_same_seed_gives_an_identical_summary` compares two runs' full JSON summaries, `WireDeterminismTests` two wire runs' digests of every datagram.",
        "- **Latency.** One `LatencyModel` in both modes: each node draws a log-normal share (σ = 0.5) around half the median RTT; the RTT of a pair is the sum of both shares times a fixed log-normal per-pair factor (σ = 0.2), so the measured median RTT is a few ms above the nominal 50 ms (the table header gives the measured value). A request and its answer take one RTT at the message level; on the wire each datagram takes half of it, so a wire round trip is the same RTT. No queueing, no bandwidth limits.",
        "- **Tables.** Sampled (all scenarios but *-joined*) as those of a network that has run for a while: each bucket takes up to k online nodes of its ID range (IP-diversity limits applied when on); or, in *-joined*, built by every node's join in turn with its messages counted. They evolve by the routing table's policy: a queried node learns its querier, a querier learns who answered, a newcomer to a full bucket makes the owner ping the bucket's oldest contact and replaces it if the ping goes unanswered, and a contact is evicted after 5 unanswered requests in a row (*-ideal*: at the first, and no pings). Hourly refresh drops unresponsive contacts and refills from online nodes in range (standing in for the refresh lookups, whose messages are not counted: an oracle still).",
        "- **Lookups** are the real `DisjointLookup`/`ClosestNodesLookup` with k = 20, α = 3 and the paper's final step. A table contact's timeout is SRTT + 4·RTTVAR of the answers its owner received from it (RFC 6298, as `Contact`); a contact never measured, or a node outside the table, gets the lookup's own estimate (2 s before any answer). *-ideal* gives every table contact 3 × its true RTT. A lookup runs to completion at the instant it starts. A GET stops at the first valid value; a PUT stores on the k closest that answered; no caching along the path.",
        "- **Jitter and processing.** Every one-way delay is multiplied by a log-normal factor (σ = 0.1) drawn per message, and the receiver of a request takes an exponential processing time (mean 1 ms) before it answers (*-ideal*: neither). The wire mode jitters every datagram the same way; its engines answer instantly.",
        "- **NATs.** A NATed node is reachable by a peer only within the mapping timeout after it last sent to that peer (its requests and answers open and refresh the permission; address-dependent filtering; ports, symmetric mappings, CGNAT sharing and hairpinning are the wire mode's `Nat`). Every NATed node knows it is NATed from the start (the engine's address vote and reachability probe, and their messages, are not simulated), and in client mode all of them are clients. Without client mode, initial tables and hourly refills sample NATed nodes like any other, standing in for the peers a NATed node has queried; with it, they sample reachable nodes only. A request dropped by a NAT costs its sender a timeout and evicts the contact, as any unanswered request.",
        "- **Churn.** Nodes leave and return with their table and records (the daemon persists both); 10% of departures are for good and a fresh node joins in their place; a (re)joining node refreshes its table and its k closest online neighbours learn it (its self-lookup). Records are republished hourly by the publisher or a live holder; no record expires within a day (TTL 48 h).",
        "- **Adversaries' IDs** are assigned, not ground: the cost of grinding them next to a target (an ID in bucket b of it takes about 2^(b+1) key generations, each meeting the static puzzle) is computed from the buckets the IDs fall in and stated with each scenario, not spent.",
        "- **Not modelled at message level:** proof-of-work, signatures, sessions and the codec (the *wire* scenario runs those for real at small N), the messages of bucket refresh during a run (and of joins, except in *-joined*), rate limits, record caching, NAT hole punching (measured with real engines in \"Player to player across NATs\").",
    ];

    private static void AdversaryTable(StringBuilder md, IEnumerable<Measured> results)
    {
        var c = CultureInfo.InvariantCulture;
        md.Append("| scenario | d | FIND_NODE success | GET success | FIND_NODE hops p50 / p99 | FIND_NODE latency p50 / p99 | messages mean |\n");
        md.Append("|---|---|---|---|---|---|---|\n");
        foreach (var r in results)
        {
            var s = r.Summary;
            md.Append($"| {s.Scenario} | {s.DisjointPaths} | {s.FindNode.SuccessRate:P2} | {s.Get.SuccessRate:P2} | {s.FindNode.HopsP50} / {s.FindNode.HopsP99} | {s.FindNode.LatencyP50Ms.ToString(c)} / {s.FindNode.LatencyP99Ms.ToString(c)} ms | {s.FindNode.MessagesMean.ToString(c)} |\n");
        }
    }

    /// <summary>What the eclipse attackers' IDs cost: k per bucket of the victim from the farthest in, 2^(b+1+c1) key generations each.</summary>
    private static string EclipseCost(SimulationOptions options)
    {
        var c1 = NetworkParameters.Default.StaticDifficulty;
        var total = 0.0;
        for (var i = 0; i < options.Eclipse!.Attackers; i++)
        {
            total += Math.Pow(2, Math.Min(i / options.K, 255) + 1 + c1);
        }

        return $"about 2^{Math.Log2(total).ToString("0.0", CultureInfo.InvariantCulture)} key generations in all";
    }

    private static void EclipseTable(StringBuilder md, IEnumerable<Measured> results)
    {
        var c = CultureInfo.InvariantCulture;
        var list = results.ToList();
        var paths = list[0].Summary.Eclipse!.ByPaths.Select(p => p.DisjointPaths).ToList();
        md.Append("| scenario | IP-diversity limits | victim's contacts | attackers among them | victim's lookups reaching the closest honest node | honest tables holding the victim | of the k honest nodes closest to it | " + string.Join(" | ", paths.Select(d => $"others reach it, d = {d}")) + " |\n");
        md.Append("|---|---|---|---|---|---|---|" + string.Concat(paths.Select(_ => "---|")) + "\n");
        foreach (var r in list)
        {
            var e = r.Summary.Eclipse!;
            md.Append($"| {r.Scenario.Name} | {(r.Scenario.Options.IpDiversityLimits ? "on (2 per /24 per bucket, 10 per table)" : "off")} | {e.VictimTableSize} | {e.AttackerShare:P1} | {e.VictimLookupSuccess:P1} | {e.HonestTablesHoldingVictim:N0} | {e.ClosestHonestHoldingVictim} | " + string.Join(" | ", e.ByPaths.Select(p => $"{p.ReachedVictim.ToString("P1", c)} ({p.MessagesMean.ToString(c)})")) + " |\n");
        }
    }

    private static void Target(StringBuilder md, string target, string measured, bool met) =>
        md.Append($"| {target} | {measured} | {(met ? "yes" : "**no**")} |\n");

    private static void OperationTable(StringBuilder md, IEnumerable<Measured> results)
    {
        var c = CultureInfo.InvariantCulture;
        md.Append("| scenario | mode | nodes | operation | count | success | hops p50 / p99 / max | latency p50 / p99 (ms) | messages mean / p99 |\n");
        md.Append("|---|---|---|---|---|---|---|---|---|\n");
        foreach (var r in results)
        {
            var s = r.Summary;
            foreach (var (name, o) in new[] { ("FIND_NODE", s.FindNode), ("GET", s.Get), ("PUT", s.Put), ("republish", s.Republish), ("probe GET", s.Probes) })
            {
                if (o.Count == 0) continue;
                md.Append($"| {s.Scenario} | {s.Mode} | {s.Nodes:N0} | {name} | {o.Count} | {o.SuccessRate:P2} | {o.HopsP50} / {o.HopsP99} / {o.HopsMax} | {o.LatencyP50Ms.ToString(c)} / {o.LatencyP99Ms.ToString(c)} | {o.MessagesMean.ToString(c)} / {o.MessagesP99} |\n");
            }
        }
    }
}
