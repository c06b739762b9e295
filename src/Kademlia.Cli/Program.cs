using System.CommandLine;
using Kademlia.Cli.Commands;

var root = new RootCommand("kad: a hardened Kademlia DHT for .NET");
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(IdCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
