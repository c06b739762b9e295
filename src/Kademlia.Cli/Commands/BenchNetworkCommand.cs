using System.CommandLine;
using Kademlia.Workloads;

namespace Kademlia.Cli.Commands;

/// <summary><c>kad bench network</c>: the seeded end-to-end workload on N loopback nodes.</summary>
internal static class BenchNetworkCommand
{
    public static Command Create()
    {
        var nodes = new Option<int>("--nodes") { Description = "Nodes in the network.", DefaultValueFactory = _ => 50 };
        var lookups = new Option<int>("--lookups") { Description = "Announce-then-find-providers pairs.", DefaultValueFactory = _ => 100 };
        var puts = new Option<int>("--puts") { Description = "Immutable put-then-get pairs.", DefaultValueFactory = _ => 50 };
        var mutables = new Option<int>("--mutables") { Description = "Mutable rounds (put seq 1, get, put seq 2, get).", DefaultValueFactory = _ => 30 };
        var findNodes = new Option<int>("--find-nodes") { Description = "FIND_NODE lookups of random targets.", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "Seeds the identities and every choice of the workload.", DefaultValueFactory = _ => 1 };
        var basePort = new Option<int>("--base-port") { Description = "Port of node 0 (node i binds base+i); 0 lets the system choose.", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of tables." };
        var inline = new Option<bool>("--inline-scheduling") { Description = "Start the nodes with UnsafePreferInlineScheduling (callers' continuations on the thread that saw the answer)." };
        var command = new Command("network", "Start N nodes on 127.0.0.1, bootstrap them from node 0, run a fixed seeded workload and report per operation.")
        {
            nodes, lookups, puts, mutables, findNodes, seed, basePort, json, inline,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var options = new NetworkWorkloadOptions
            {
                Cluster = new LoopbackClusterOptions { Nodes = result.GetValue(nodes), Seed = result.GetValue(seed), BasePort = result.GetValue(basePort), InlineScheduling = result.GetValue(inline) },
                Lookups = result.GetValue(lookups),
                Puts = result.GetValue(puts),
                Mutables = result.GetValue(mutables),
                FindNodes = result.GetValue(findNodes),
            };
            return BenchNetworkRunner.RunAsync(options, result.GetValue(json), "kad bench network", cancellationToken);
        });
        return command;
    }
}
