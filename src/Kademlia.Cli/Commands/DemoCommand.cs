using System.CommandLine;
using System.Diagnostics;
using Kademlia.Identity;
using Kademlia.Simulation;
using Spectre.Console;

namespace Kademlia.Cli.Commands;

/// <summary>
/// <c>kad demo</c>: until the UDP node lands, a simulated network of real routing tables and the
/// real lookup state machine in virtual time, showing each lookup hop by hop.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var nodes = new Option<int>("--nodes") { Description = "Nodes in the network.", DefaultValueFactory = _ => 200 };
        nodes.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<int>();
            if (value is < 2 or > 5000) r.AddError("--nodes must be between 2 and 5000.");
        });
        var lookups = new Option<int>("--lookups") { Description = "Lookups to run for the summary.", DefaultValueFactory = _ => 100 };
        lookups.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<int>();
            if (value is < 1 or > 10000) r.AddError("--lookups must be between 1 and 10000.");
        });
        var seed = new Option<int>("--seed") { Description = "Seed of the run; the same seed replays it exactly.", DefaultValueFactory = _ => 1 };

        var command = new Command("demo", "Build a local network, run lookups and show what happened.") { nodes, lookups, seed };
        command.SetAction(result => Run(result.GetValue(nodes), result.GetValue(lookups), result.GetValue(seed)));
        return command;
    }

    private static int Run(int nodeCount, int lookupCount, int seed)
    {
        var console = AnsiConsole.Console;
        console.Write(new Rule("[bold]Kademlia demo[/]").LeftJustified());
        console.MarkupLine($"[grey]Simulated network (message level, virtual time): the real routing tables and lookup state machine, no sockets yet. Seed {seed}.[/]");

        var clock = Stopwatch.StartNew();
        MessageLevelNetwork network = null!;
        console.Status().Start($"Building {nodeCount} nodes and their routing tables...", _ =>
            network = new MessageLevelNetwork(nodeCount, seed, NetworkParameters.Test, TimeSpan.FromMilliseconds(50)));
        var sizes = network.Nodes.Select(n => n.Table.Count).Order().ToArray();
        console.MarkupLine($"Built {nodeCount} nodes in {clock.ElapsedMilliseconds} ms; routing tables hold {sizes[0]}–{sizes[^1]} contacts (median {sizes[sizes.Length / 2]}), k = {network.Network.K}, α = {network.Network.Alpha}.");

        ShowOneLookup(console, network);
        ShowSummary(console, network, lookupCount, seed);
        return 0;
    }

    private static void ShowOneLookup(IAnsiConsole console, MessageLevelNetwork network)
    {
        var target = network.RandomTarget();
        var outcome = network.RunLookup(0, target);
        console.WriteLine();
        console.MarkupLine($"Node [blue]{network.Nodes[0].Info.Id.ToShortString()}[/] looks up [yellow]{target.ToShortString()}[/]:");
        var table = new Table().AddColumns("hop", "node", "bits shared with target", "log2 distance", "RTT");
        var origin = network.Nodes[0];
        foreach (var step in outcome.Path)
        {
            var peer = network.Nodes.First(n => n.Info.Id == step.Node.Id);
            var shared = target.CommonPrefixLength(step.Node.Id);
            var rtt = 2 * (origin.OneWayLatency + peer.OneWayLatency);
            table.AddRow($"{step.Depth}", step.Node.Id.ToShortString(), $"{shared}", $"{256 - shared}", $"{rtt.TotalMilliseconds:F0} ms");
        }

        console.Write(table);
        console.MarkupLine($"Finished in {outcome.Duration.TotalMilliseconds:F0} ms of virtual time with {outcome.Messages} queries; found {outcome.Overlap} of the {outcome.TrueClosest.Count} closest nodes.");
    }

    private static void ShowSummary(IAnsiConsole console, MessageLevelNetwork network, int lookupCount, int seed)
    {
        var random = new Random(seed);
        var outcomes = Enumerable.Range(0, lookupCount)
            .Select(_ => network.RunLookup(random.Next(network.Nodes.Count), network.RandomTarget()))
            .ToList();
        var silent = network.Nodes.Skip(1).Where(_ => random.NextDouble() < 0.4).ToList();
        silent.ForEach(n => n.Behavior = NodeBehavior.Silent);
        var degraded = Enumerable.Range(0, lookupCount).Select(_ => network.RunLookup(0, network.RandomTarget())).ToList();

        console.WriteLine();
        var summary = new Table().AddColumns("scenario", "lookups", "found closest", "hops p50 / max", "queries mean", "latency p50 / p99");
        summary.AddRow(Describe("all nodes up", outcomes));
        summary.AddRow(Describe($"{silent.Count} nodes (40%) silent", degraded));
        console.Write(summary);
    }

    private static string[] Describe(string scenario, List<LookupOutcome> outcomes)
    {
        var hops = outcomes.Select(o => o.Hops).Order().ToArray();
        var latency = outcomes.Select(o => o.Duration.TotalMilliseconds).Order().ToArray();
        return
        [
            scenario,
            $"{outcomes.Count}",
            $"{outcomes.Count(o => o.FoundClosest) * 100.0 / outcomes.Count:F1}%",
            $"{hops[hops.Length / 2]} / {hops[^1]}",
            $"{outcomes.Average(o => o.Messages):F1}",
            $"{latency[latency.Length / 2]:F0} / {latency[(int)(latency.Length * 0.99)]:F0} ms",
        ];
    }
}
