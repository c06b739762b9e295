using System.CommandLine;
using Kademlia.Workloads;

namespace Kademlia.Cli.Commands;

/// <summary><c>kad bench lookup</c>: FIND_NODE latency and messages in a larger loopback network.</summary>
internal static class BenchLookupCommand
{
    public static Command Create()
    {
        var nodes = new Option<int>("--nodes") { Description = "Nodes in the network.", DefaultValueFactory = _ => 200 };
        var lookups = new Option<int>("--lookups") { Description = "FIND_NODE lookups of random targets from random nodes.", DefaultValueFactory = _ => 500 };
        var seed = new Option<int>("--seed") { Description = "Seeds the identities, the askers and the targets.", DefaultValueFactory = _ => 1 };
        var basePort = new Option<int>("--base-port") { Description = "Port of node 0 (node i binds base+i); 0 lets the system choose.", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of tables." };
        var inline = new Option<bool>("--inline-scheduling") { Description = "Start the nodes with UnsafePreferInlineScheduling (callers' continuations on the thread that saw the answer)." };
        var command = new Command("lookup", "Start N nodes on 127.0.0.1 and time FIND_NODE lookups one at a time (success = the true closest node found).")
        {
            nodes, lookups, seed, basePort, json, inline,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var options = new NetworkWorkloadOptions
            {
                Cluster = new LoopbackClusterOptions { Nodes = result.GetValue(nodes), Seed = result.GetValue(seed), BasePort = result.GetValue(basePort), InlineScheduling = result.GetValue(inline) },
                Lookups = 0,
                Puts = 0,
                Mutables = 0,
                FindNodes = result.GetValue(lookups),
            };
            return BenchNetworkRunner.RunAsync(options, result.GetValue(json), "kad bench lookup", cancellationToken);
        });
        return command;
    }
}
