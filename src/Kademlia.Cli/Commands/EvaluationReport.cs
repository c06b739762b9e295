using System.Globalization;
using System.Text;
using Kademlia.Simulation;
using Spectre.Console;

namespace Kademlia.Cli.Commands;

/// <summary>
/// <c>kad sim --report docs/EVALUATION.md</c>: runs the evaluation suite of the simulator issue and
/// writes the measured numbers next to the targets. Every scenario has a fixed seed, so the file
/// regenerates identically (except the wall-clock column).
/// </summary>
internal static class EvaluationReport
{
    private const string AnalysisMarker = "<!-- Hand-written analysis: kept as is when eval/run.sh regenerates the numbers above. -->";

    private sealed record Scenario(string Name, SimulationOptions Options, string Mode = "message", bool Plots = false);

    private sealed record Measured(Scenario Scenario, SimulationSummary Summary, SimCommand.RunCost Cost);

    public static int Write(string path, string? output, bool quick)
    {
        var n = quick ? 2_000 : 10_000;
        var big = quick ? 10_000 : 100_000;
        var plotDirectory = output ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "eval");
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
            new("baseline", new SimulationOptions { Nodes = n, Seed = 1, Lookups = 1_000, Records = 100 }, Plots: true),
            new("baseline-d4", new SimulationOptions { Nodes = n, Seed = 1, Lookups = 1_000, Records = 100, DisjointPaths = 4 }),
            new("nat-loss", new SimulationOptions { Nodes = n, Seed = 2, Lookups = 1_000, Records = 100, UnreachableFraction = 0.2, LossRate = 0.01 }),
            new("nat-half", natHalf),
            new("nat-half-no-client-mode", natHalf with { ClientMode = false }),
            new("churn-day", day, Plots: true),
            new("churn-day-no-republish", day with { Republish = false }),
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
            }));
        }

        foreach (var limits in new[] { true, false })
        {
            scenarios.Add(new($"eclipse-limits-{(limits ? "on" : "off")}", new SimulationOptions
            {
                Nodes = n, Seed = 6, Lookups = 200, Gets = 0, Records = 0, IpDiversityLimits = limits, Eclipse = new EclipseOptions(),
            }));
        }

        scenarios.Add(new("large", new SimulationOptions { Nodes = big, Seed = 7, Lookups = 1_000, Records = 100 }));
        scenarios.Add(new("wire", new SimulationOptions { Nodes = quick ? 40 : 100, Seed = 8, Lookups = 100, Gets = 100, Records = 20 }, Mode: "wire"));

        var results = new List<Measured>();
        foreach (var scenario in scenarios)
        {
            AnsiConsole.MarkupLineInterpolated($"[grey]running {scenario.Name} ({SimCommand.Describe(scenario.Options)}, {scenario.Mode})...[/]");
            var (summary, cost) = SimCommand.Measure(scenario.Options, scenario.Mode, scenario.Name);
            AnsiConsole.Write(SimCommand.SummaryTable(summary));
            results.Add(new Measured(scenario, summary, cost));
            if (scenario.Plots)
            {
                var directory = Path.Combine(plotDirectory, scenario.Name);
                Directory.CreateDirectory(directory);
                File.WriteAllText(Path.Combine(directory, "summary.json"), summary.ToJson());
                Plots.WriteAll(summary, directory);
            }
        }

        // The analysis under the marker is written by hand and kept when the numbers are regenerated.
        var analysis = File.Exists(path) && File.ReadAllText(path) is var previous && previous.IndexOf(AnalysisMarker, StringComparison.Ordinal) is var at and >= 0
            ? previous[at..]
            : AnalysisMarker + "\n";
        File.WriteAllText(path, Render(results, quick, Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(path))!, plotDirectory)) + "\n" + analysis);
        AnsiConsole.MarkupLineInterpolated($"Wrote {path}.");
        return 0;
    }

    private static string Render(List<Measured> results, bool quick, string plots)
    {
        var byName = results.ToDictionary(r => r.Scenario.Name);
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');
        Line("# Evaluation");
        Line();
        Line("Generated by `eval/run.sh` (that is, `dotnet run --project src/Kademlia.Cli -c Release -- sim --report docs/EVALUATION.md`)." + (quick ? " **Quick mode: smaller networks than the targets ask for.**" : ""));
        Line("Every scenario has a fixed seed; rerunning gives the same numbers except wall-clock time. Latency is virtual time on the simulator's clock.");
        Line("Message level unless marked *wire*: assigned IDs, compact sampled routing tables, the real `DisjointLookup` state machine; see \"How the simulator works\" below for what is modelled.");
        Line();
        Line("## Targets");
        Line();
        var baseline = byName["baseline"].Summary;
        var day = byName["churn-day"].Summary;
        var dayMin = day.Timeline.Where(p => !double.IsNaN(p.Retrievable)).Min(p => p.Retrievable);
        var adversarial = results.Where(r => r.Scenario.Name.StartsWith("colluding-20-d", StringComparison.Ordinal) && r.Summary.DisjointPaths > 1).ToList();
        Line($"| target (at {baseline.Nodes:N0} nodes, median RTT {baseline.MeasuredMedianRttMs.ToString(c)} ms) | measured | met |");
        Line("|---|---|---|");
        Target(md, "GET p50 ≤ 3 hops, p99 ≤ 5", $"{baseline.Get.HopsP50} / {baseline.Get.HopsP99}", baseline.Get.HopsP50 <= 3 && baseline.Get.HopsP99 <= 5);
        Target(md, "GET p50 ≤ 100 ms", $"{baseline.Get.LatencyP50Ms.ToString(c)} ms", baseline.Get.LatencyP50Ms <= 100);
        Target(md, "FIND_NODE p50 ≤ 250 ms", $"{baseline.FindNode.LatencyP50Ms.ToString(c)} ms", baseline.FindNode.LatencyP50Ms <= 250);
        Target(md, "≥ 99.9% retrievability under churn (1 h median sessions, one day, republish)", $"min {dayMin:P2}, all probes {day.Probes.SuccessRate:P2}", dayMin >= 0.999);
        foreach (var r in adversarial)
        {
            Target(md, $"≥ 99.9% lookup success at 20% colluders, d = {r.Summary.DisjointPaths}", $"FIND_NODE {r.Summary.FindNode.SuccessRate:P2}, GET {r.Summary.Get.SuccessRate:P2}", r.Summary.FindNode.SuccessRate >= 0.999);
        }

        var heavy = byName["colluding-40-d8"].Summary;
        Target(md, "≥ 99% lookup success at 40% colluders, d = 8", $"FIND_NODE {heavy.FindNode.SuccessRate:P2}, GET {heavy.Get.SuccessRate:P2}", heavy.FindNode.SuccessRate >= 0.99);
        var natHalfRun = byName["nat-half"].Summary;
        var natHalfReport = natHalfRun.Nat!;
        Target(md, "≥ 99.9% lookup success with half the nodes behind NATs, client mode", $"FIND_NODE {natHalfRun.FindNode.SuccessRate:P2}, GET {natHalfRun.Get.SuccessRate:P2}", natHalfRun.FindNode.SuccessRate >= 0.999 && natHalfRun.Get.SuccessRate >= 0.999);
        Target(md, "0 NATed contacts in public tables with half the nodes behind NATs, client mode", $"{natHalfReport.NattedContactsInPublicTables} (of {natHalfReport.NattedNodes:N0} NATed nodes)", natHalfReport.NattedContactsInPublicTables == 0);

        Line();
        Line("## Lookups at scale");
        Line();
        Line("FIND_NODE succeeds when the closest honest live node answered; GET when a valid value came back. Hops are the depth of the closest answering node (GET: of the node that returned the value; 0 when the asker holds it). Messages are requests sent.");
        Line();
        OperationTable(md, results.Where(r => r.Scenario.Name is "baseline" or "baseline-d4" or "nat-loss" or "large" or "wire"));
        Line();
        var large = byName["large"];
        Line($"Memory: the message-level network of {large.Summary.Nodes:N0} nodes holds {large.Cost.BytesPerNode:N0} bytes of managed memory per node after building (compact tables of about {large.Summary.Timeline[0].MeanContacts.ToString(c)} contacts); at {baseline.Nodes:N0} nodes, {byName["baseline"].Cost.BytesPerNode:N0} bytes per node.");
        Line();
        Line($"Plots of the baseline: [hops CDF]({plots}/baseline/hops-cdf.svg), [latency CDF]({plots}/baseline/latency-cdf.svg), [messages per lookup]({plots}/baseline/messages-cdf.svg), [success rate]({plots}/baseline/success-rate.svg).");
        Line();
        Line("## Half the nodes behind NATs");
        Line();
        Line($"{natHalfRun.Nodes:N0} nodes, half of them (node 0 excepted, drawn at random: {natHalfReport.NattedNodes:N0}) behind a NAT that admits a peer only for {byName["nat-half"].Scenario.Options.NatMappingTimeout.TotalSeconds.ToString(c)} s after the node last sent to it (address-dependent filtering, outbound refresh: the home router of issue 14). Workload spread over one hour from random nodes, NATed or not: {natHalfRun.FindNode.Count:N0} FIND_NODE, {natHalfRun.Get.Count:N0} GET of {natHalfRun.Put.Count} records published at the start, hourly bucket refresh, a probe GET of every record every 30 minutes; no loss, no churn. With client mode a NATed node's requests carry the client flag, so no receiver puts it in its table and it never appears in an answer; without, it enters tables like any node (as the engine did before client mode) and a request to it times out unless it sent to the asker within the timeout. The success oracle is the closest *reachable* honest node: the node a lookup must reach in either mode. Counts of NATed contacts are taken at the end of the run; keepalives (every {byName["nat-half"].Scenario.Options.KeepaliveInterval.TotalSeconds.ToString(c)} s to each of a client's {byName["nat-half"].Scenario.Options.KeepalivePeers} closest contacts, as the engine) are counted, not simulated.");
        Line();
        OperationTable(md, results.Where(r => r.Scenario.Name.StartsWith("nat-half", StringComparison.Ordinal)));
        Line();
        Line("| scenario | NATed | client mode | FIND_NODE success | GET success | FIND_NODE latency p50 / p95 (ms) | GET latency p50 / p95 (ms) | messages per FIND_NODE / GET | requests dropped at NATs | NATed contacts in public tables | share of public contacts | keepalives sent |");
        Line("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in results.Where(r => r.Summary.Nat is not null))
        {
            var s = r.Summary;
            var nat = s.Nat!;
            Line($"| {s.Scenario} | {r.Scenario.Options.UnreachableFraction:P0}{(r.Scenario.Options.LossRate > 0 ? $", {r.Scenario.Options.LossRate:P0} loss" : "")} | {(nat.ClientMode ? "on" : "off")} | {s.FindNode.SuccessRate:P2} | {s.Get.SuccessRate:P2} | {s.FindNode.LatencyP50Ms.ToString(c)} / {s.FindNode.LatencyP95Ms.ToString(c)} | {s.Get.LatencyP50Ms.ToString(c)} / {s.Get.LatencyP95Ms.ToString(c)} | {s.FindNode.MessagesMean.ToString(c)} / {s.Get.MessagesMean.ToString(c)} | {nat.RequestsDroppedAtNats:N0} | {nat.NattedContactsInPublicTables:N0} | {nat.NattedShareOfPublicContacts:P1} | {nat.Keepalives:N0} |");
        }

        Line();
        Line("## One simulated day of churn");
        Line();
        Line($"{day.Nodes:N0} honest nodes, exponential sessions and downtimes with 1 h medians (about half the nodes online at any time), 10% of departures for good, each replaced by a fresh node. {day.Put.Count} records published at the start; every hour each record is re-stored on the current k closest by its publisher or, when the publisher is offline, by a live holder; every 30 minutes every record is probed with a GET from a random live node. Returning nodes keep their table and records (the daemon persists both).");
        Line();
        OperationTable(md, results.Where(r => r.Scenario.Name.StartsWith("churn", StringComparison.Ordinal)));
        Line();
        Line("| hour | online | retrieved (with republish) | held by a live node | mean live replicas | retrieved (no republish) | mean contacts | live contacts |");
        Line("|---|---|---|---|---|---|---|---|");
        var without = byName["churn-day-no-republish"].Summary.Timeline;
        for (var i = 0; i < day.Timeline.Count; i += 4)
        {
            var p = day.Timeline[i];
            var q = i < without.Count ? without[i] : null;
            Line($"| {p.Hours.ToString("0.#", c)} | {p.OnlineNodes} | {p.Retrievable:P1} | {p.Replicated:P1} | {p.MeanReplicas.ToString(c)} | {(q is null ? "" : q.Retrievable.ToString("P1", c))} | {p.MeanContacts.ToString(c)} | {p.LiveContactFraction:P1} |");
        }

        Line();
        Line($"Plots: [record survival]({plots}/churn-day/record-survival.svg), [routing-table health]({plots}/churn-day/table-health.svg), [latency CDF]({plots}/churn-day/latency-cdf.svg).");
        Line();
        Line("## Adversaries");
        Line();
        Line("Colluding nodes answer every lookup with the k closest colluders (hiding honest nodes) and drop stores. Store droppers route honestly, acknowledge STOREs and drop them. Garbage answerers send answers that fail to verify (the engine counts them as failures). Silent nodes never answer. Node 0 is always honest; adversaries are drawn at random from the rest and are not in the success oracle. GETs read records published in the same adversarial network.");
        Line();
        Line("| scenario | d | FIND_NODE success | GET success | FIND_NODE hops p50 / p99 | FIND_NODE latency p50 / p99 | messages mean |");
        Line("|---|---|---|---|---|---|---|");
        foreach (var r in results.Where(r => r.Summary.Scenario.Contains("-20-", StringComparison.Ordinal) || r.Summary.Scenario.Contains("-40-", StringComparison.Ordinal)))
        {
            var s = r.Summary;
            Line($"| {s.Scenario} | {s.DisjointPaths} | {s.FindNode.SuccessRate:P2} | {s.Get.SuccessRate:P2} | {s.FindNode.HopsP50} / {s.FindNode.HopsP99} | {s.FindNode.LatencyP50Ms.ToString(c)} / {s.FindNode.LatencyP99Ms.ToString(c)} ms | {s.FindNode.MessagesMean.ToString(c)} |");
        }

        Line();
        Line("## Eclipse of one victim");
        Line();
        Line("400 attackers with IDs ground into node 0's buckets (k per bucket, from the farthest bucket inwards), all from 4 IPv4 /24 prefixes, colluding. The victim has just restarted, so the attackers reach it first and take every slot the table allows; honest nodes then fill what is left.");
        Line();
        Line("| IP-diversity limits | victim's contacts | attackers among them | victim's lookups reaching the closest honest node | others' lookups of the victim reaching it |");
        Line("|---|---|---|---|---|");
        foreach (var r in results.Where(r => r.Summary.Eclipse is not null))
        {
            var e = r.Summary.Eclipse!;
            Line($"| {(r.Scenario.Options.IpDiversityLimits ? "on (2 per /24 per bucket, 10 per table)" : "off")} | {e.VictimTableSize} | {e.AttackerShare:P1} | {e.VictimLookupSuccess:P1} | {e.LookupsOfVictimSuccess:P1} |");
        }

        Line();
        Line("## Cost of the runs");
        Line();
        Line("| scenario | nodes | wall (s) | of which building (s) | scheduler events | messages simulated | messages per second | managed bytes per node |");
        Line("|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            var s = r.Summary;
            var rate = s.Messages / Math.Max(r.Cost.RunWall.TotalSeconds, 1e-9);
            Line($"| {s.Scenario} | {s.Nodes:N0} | {r.Cost.Wall.TotalSeconds.ToString("F1", c)} | {r.Cost.BuildWall.TotalSeconds.ToString("F1", c)} | {s.Events:N0} | {s.Messages:N0} | {rate:N0} | {(r.Cost.BytesPerNode == 0 ? "" : r.Cost.BytesPerNode.ToString("N0", c))} |");
        }

        Line();
        Line("Wall-clock times are from a shared 2-core machine and vary with its load.");
        Line();
        Line("## How the simulator works, and what it leaves out");
        Line();
        Line("- **One seed.** Every choice (IDs, addresses, latencies, adversaries, churn times, workload, losses; on the wire also every engine's request IDs and its session layer's keys and indexes) comes from one `System.Random` seeded by the scenario; the event queue breaks ties by insertion order. `SimulatorTests.The_same_seed_gives_an_identical_summary` compares two runs' full JSON summaries, `WireDeterminismTests` two wire runs' digests of every datagram.");
        Line("- **Latency.** One `LatencyModel` in both modes: each node draws a log-normal share (σ = 0.5) around half the median RTT; the RTT of a pair is the sum of both shares times a fixed log-normal per-pair factor (σ = 0.2), so the measured median RTT is a few ms above the nominal 50 ms (the table header gives the measured value). A request and its answer take one RTT at the message level; on the wire each datagram takes half of it, so a wire round trip is the same RTT. No queueing, no bandwidth limits.");
        Line("- **Tables.** Built as those of a network that has run for a while: each bucket samples up to k online nodes of its ID range (IP-diversity limits applied when on). They evolve: a queried node learns its querier, a querier learns who answered, a contact that does not answer because it is offline, behind a NAT or silent is evicted at once (the engine evicts after repeated failures or when a replacement waits: this is the optimistic end), hourly refresh drops unresponsive contacts and refills from online nodes in range (standing in for the refresh lookups, whose messages are not counted).");
        Line("- **Lookups** are the real `DisjointLookup`/`ClosestNodesLookup` with k = 20, α = 3, the paper's final step, timeouts of 3 RTT for table contacts (SRTT + 4·RTTVAR after one sample) and the lookup's own estimate (2 s before any answer) for others. A lookup runs to completion at the instant it starts. A GET stops at the first valid value; a PUT stores on the k closest that answered; no caching along the path.");
        Line("- **NATs.** A NATed node is reachable by a peer only within the mapping timeout after it last sent to that peer (its requests and answers open and refresh the permission; address-dependent filtering; ports, symmetric mappings, CGNAT sharing and hairpinning are the wire mode's `Nat`). Every NATed node knows it is NATed from the start (the engine's address vote and reachability probe, and their messages, are not simulated), and in client mode all of them are clients. Without client mode, initial tables and hourly refills sample NATed nodes like any other, standing in for the peers a NATed node has queried; with it, they sample reachable nodes only. A request dropped by a NAT costs its sender a timeout and evicts the contact, as any unanswered request.");
        Line("- **Churn.** Nodes leave and return with their table and records (the daemon persists both); 10% of departures are for good and a fresh node joins in their place; a (re)joining node refreshes its table and its k closest online neighbours learn it (its self-lookup). Records are republished hourly by the publisher or a live holder; no record expires within a day (TTL 48 h).");
        Line("- **Not modelled at message level:** proof-of-work, signatures, sessions and the codec (the *wire* scenario runs those for real at small N), the cost of bucket refresh and joins in messages, rate limits, record caching, node-ID grinding cost, NAT hole punching.");
        return md.ToString();
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
