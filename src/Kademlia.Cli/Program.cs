using System.CommandLine;
using Kademlia.Cli;
using Kademlia.Cli.Commands;

var root = new RootCommand("kad: a hardened Kademlia DHT for .NET");
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(IdCommand.Create());
root.Subcommands.Add(SimCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
KadCommands.AddTo(root);
return await KadInvocation.InvokeAsync(root, args).ConfigureAwait(false);
