using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Text;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Records;
using Spectre.Console;

namespace Kademlia.Cli.Commands;

/// <summary>
/// <c>kad demo</c>: a real network of <see cref="DhtNode"/>s on loopback UDP in one process. It
/// stores an immutable record, a mutable record and its update and a provider announcement from one
/// node, finds them from others, shows a lookup path hop by hop, stops 40% of the nodes and shows
/// the data is still found.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var nodes = new Option<int>("--nodes") { Description = "Nodes in the network.", DefaultValueFactory = _ => 50 };
        nodes.Check(value => value is < 5 or > 500 ? "--nodes must be between 5 and 500." : null);

        var dashboard = CommonOptions.Dashboard("Show the network on a live web page at address:port (127.0.0.1 on a free port when alone): nodes on a ring by ID, lookups hop by hop, the record's holders, stopped nodes. The 'dashboard:' line prints the address to open.");
        var pace = new Option<double>("--pace") { Description = "With --dashboard: seconds between the demo's steps, so they can be watched.", DefaultValueFactory = _ => 3 };
        pace.Check(value => value is < 0 or > 60 ? "--pace must be between 0 and 60 seconds." : null);

        var command = new Command("demo", "Run a local network on loopback UDP: store, find, lose 40% of the nodes, find again.") { nodes, dashboard, pace };
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(nodes), CommonOptions.ToDashboard(result, dashboard), TimeSpan.FromSeconds(result.GetValue(pace)), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int count, IPEndPoint? dashboard, TimeSpan pace, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Console;
        var clock = Stopwatch.StartNew();
        console.Write(new Rule("[bold]Kademlia demo[/]").LeftJustified());
        console.MarkupLine($"[grey]{count} nodes on 127.0.0.1, one UDP socket each, every packet encrypted (Noise IK/XX). Network: test preset (cheap proof-of-work).[/]");

        var network = new List<DhtNode>();
        var stage = DemoStage.None;
        try
        {
            await StartAndBootstrapAsync(console, network, count, cancellationToken).ConfigureAwait(false);
            if (dashboard is not null)
            {
                stage = await DemoStage.OpenAsync(console, network, dashboard, pace, cancellationToken).ConfigureAwait(false);
            }

            var sizes = new List<int>();
            foreach (var node in network)
            {
                sizes.Add((await node.GetStatisticsAsync().ConfigureAwait(false)).Engine.RoutingTableSize);
            }

            sizes.Sort();
            console.MarkupLine($"Routing tables hold [green]{sizes[0]}–{sizes[^1]}[/] contacts (median {sizes[sizes.Count / 2]}); k = 20, α = 3.");

            using var publisher = NodeIdentity.Generate(NetworkParameters.Test);
            var immutable = ImmutableRecord.Create("The house always wins, unless the dice are fair."u8);
            var first = MutableRecord.Create(publisher, "table-7"u8, 1, "table 7: waiting for players"u8);
            var second = MutableRecord.Create(publisher, "table-7"u8, 2, "table 7: alice rolled 7, pays 2:1"u8);
            var topic = NodeId.Hash("bitcraps/open-tables"u8);

            // Readers are the nodes farthest from the keys, so they hold no replica and must look up.
            var alice = network[1];
            var bob = FarthestFrom(network, immutable.Key, alice);
            var carol = FarthestFrom(network, first.Key, alice, bob);

            console.WriteLine();
            console.Write(new Rule("Store from one node, find from another").LeftJustified());
            var summary = new Table().AddColumns("step", "from", "result", "hops", "messages", "time");
            await Step(stage, summary, "put immutable", alice, immutable.Key, () => alice.PutAsync(immutable, cancellationToken: cancellationToken), r => $"stored on {r.Stored}/{r.Attempted}").ConfigureAwait(false);
            var got = await Step(stage, summary, "get immutable", bob, immutable.Key, () => bob.GetAsync(immutable.Key, RecordKind.Immutable, cancellationToken), r => Describe(r.Record)).ConfigureAwait(false);
            await Step(stage, summary, "put mutable seq 1", alice, first.Key, () => alice.PutAsync(first, cancellationToken: cancellationToken), r => $"stored on {r.Stored}/{r.Attempted}").ConfigureAwait(false);
            await Step(stage, summary, "put mutable seq 2 (CAS on 1)", alice, first.Key, () => alice.PutAsync(second, 1, cancellationToken), r => $"stored on {r.Stored}/{r.Attempted}").ConfigureAwait(false);
            await Step(stage, summary, "get mutable", carol, first.Key, () => carol.GetAsync(first.Key, RecordKind.Mutable, cancellationToken), r => Describe(r.Record)).ConfigureAwait(false);
            await Step(stage, summary, "announce table 7", alice, topic, () => alice.AnnounceAsync(topic, "table 7, 2 seats, stakes 5"u8.ToArray(), cancellationToken), r => $"stored on {r.Stored}/{r.Attempted}").ConfigureAwait(false);
            var providers = await FindProvidersAsync(bob, topic, cancellationToken).ConfigureAwait(false);
            summary.AddRow("find providers", Short(bob), Markup.Escape(providers), "", "", "");
            await stage.ShowAsync($"find providers from {Short(bob)}: {providers}", topic, providers != "none", cancellationToken).ConfigureAwait(false);
            console.Write(summary);

            ShowPath(console, bob, immutable.Key, got);

            console.WriteLine();
            console.Write(new Rule("Stop 40% of the nodes").LeftJustified());
            // Alice, the publisher, is among them: what remains is held by the other replicas.
            var stopped = network.Where(n => n != alice && n != bob && n != carol).Where((_, i) => i % 2 == 0)
                .Take((count * 2 / 5) - 1).Prepend(alice).ToList();
            await stage.ShowAsync($"Stopping {stopped.Count} of {count} nodes, alice the publisher among them.", immutable.Key, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var node in stopped)
            {
                await stage.StoppingAsync(node, cancellationToken).ConfigureAwait(false);
                await node.DisposeAsync().ConfigureAwait(false);
                network.Remove(node);
            }

            console.MarkupLine($"Stopped [red]{stopped.Count}[/] of {count} nodes (alice among them: {stopped.Contains(alice)}).");
            var after = new Table().AddColumns("step", "from", "result", "hops", "messages", "time");
            await Step(stage, after, "get immutable", carol, immutable.Key, () => carol.GetAsync(immutable.Key, RecordKind.Immutable, cancellationToken), r => Describe(r.Record)).ConfigureAwait(false);
            await Step(stage, after, "get mutable", bob, first.Key, () => bob.GetAsync(first.Key, RecordKind.Mutable, cancellationToken), r => Describe(r.Record)).ConfigureAwait(false);
            var remaining = await FindProvidersAsync(carol, topic, cancellationToken).ConfigureAwait(false);
            after.AddRow("find providers", Short(carol), Markup.Escape(remaining), "", "", "");
            await stage.ShowAsync($"find providers from {Short(carol)}: {remaining}", topic, remaining != "none", cancellationToken).ConfigureAwait(false);
            console.Write(after);

            var stats = await bob.GetStatisticsAsync().ConfigureAwait(false);
            console.WriteLine();
            console.MarkupLine($"Node {Short(bob)}: {stats.Engine.PacketsIn} packets in, {stats.Engine.PacketsOut} out, {stats.Engine.RequestsServed} requests served, {stats.Engine.TotalDrops} dropped, {stats.Records.Values} values and {stats.Records.Providers} providers held.");
            console.MarkupLine($"[bold green]Done in {clock.Elapsed.TotalSeconds:F1} s.[/]");
            await stage.HoldAsync(console, cancellationToken).ConfigureAwait(false);
            return 0;
        }
        finally
        {
            await stage.DisposeAsync().ConfigureAwait(false);
            foreach (var node in network)
            {
                await node.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task StartAndBootstrapAsync(IAnsiConsole console, List<DhtNode> network, int count, CancellationToken cancellationToken)
    {
        await console.Progress().StartAsync(async context =>
        {
            var starting = context.AddTask("starting nodes", maxValue: count);
            var joining = context.AddTask("bootstrapping from node 0", maxValue: count - 1);
            for (var i = 0; i < count; i++)
            {
                network.Add(await DhtNode.StartAsync(new DhtNodeOptions { Network = NetworkParameters.Test, Bind = new IPEndPoint(IPAddress.Loopback, 0) }, cancellationToken).ConfigureAwait(false));
                starting.Increment(1);
            }

            foreach (var node in network.Skip(1))
            {
                await node.BootstrapAsync([network[0].ContactString], cancellationToken).ConfigureAwait(false);
                joining.Increment(1);
            }

            // One more refresh round once everyone is in, as the periodic bucket refresh would do.
            await Task.WhenAll(network.Select(n => n.FindNodeAsync(n.Id, cancellationToken))).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    private static async Task<T> Step<T>(DemoStage stage, Table table, string name, DhtNode from, NodeId key, Func<Task<T>> operation, Func<T, string> describe)
        where T : QueryResult
    {
        var result = await operation().ConfigureAwait(false);
        var outcome = result.Succeeded ? $"[green]{Markup.Escape(describe(result))}[/]" : $"[red]failed: {Markup.Escape(describe(result))}[/]";
        table.AddRow(name, Short(from), outcome, $"{result.Hops}", $"{result.MessagesSent}", $"{result.Duration.TotalMilliseconds:F1} ms");
        await stage.ShowAsync($"{name} from {Short(from)}: {(result.Succeeded ? "" : "failed: ")}{describe(result)} ({result.Hops} hops, {result.MessagesSent} messages, {result.Duration.TotalMilliseconds:F1} ms)", key, result.Succeeded).ConfigureAwait(false);
        return result;
    }

    private static async Task<string> FindProvidersAsync(DhtNode node, NodeId topic, CancellationToken cancellationToken)
    {
        var found = new List<string>();
        await foreach (var provider in node.FindProvidersAsync(topic, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            found.Add($"{provider.Provider.Endpoint} \"{Encoding.UTF8.GetString(provider.ApplicationData.Span)}\"");
        }

        return found.Count == 0 ? "none" : string.Join("; ", found);
    }

    private static void ShowPath(IAnsiConsole console, DhtNode from, NodeId key, GetResult result)
    {
        console.WriteLine();
        console.MarkupLine($"Lookup path of the immutable get from {Short(from)} for key [yellow]{key.ToShortString()}[/]:");
        var table = new Table().AddColumns("hop", "node", "endpoint", "bits shared with key", "log2 distance", "RTT");
        foreach (var hop in result.Path)
        {
            var shared = key.CommonPrefixLength(hop.Node.Id);
            table.AddRow($"{hop.Depth}", hop.Node.Id.ToShortString(), $"{hop.Node.Endpoint}", $"{shared}", $"{256 - shared}", hop.Rtt is { } rtt ? $"{rtt.TotalMilliseconds:F2} ms" : "-");
        }

        if (result.Path.Count == 0)
        {
            table.AddRow("0", from.Id.ToShortString(), $"{from.LocalEndpoint}", $"{key.CommonPrefixLength(from.Id)}", $"{256 - key.CommonPrefixLength(from.Id)}", "held locally");
        }

        console.Write(table);
    }

    private static string Describe(ValueRecord? record) => record switch
    {
        MutableRecord m => $"seq {m.Sequence}: \"{Encoding.UTF8.GetString(m.Value.Span)}\"",
        { } r => $"\"{Encoding.UTF8.GetString(r.Value.Span)}\"",
        _ => "not found",
    };

    private static string Short(DhtNode node) => node.Id.ToShortString();

    private static DhtNode FarthestFrom(List<DhtNode> network, NodeId key, params DhtNode[] excluded) =>
        network.Where(n => !excluded.Contains(n)).OrderBy(n => n.Id ^ key).Last();
}
