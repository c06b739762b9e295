using System.CommandLine;
using Kademlia.Cli;
using Kademlia.Cli.Commands;
using Spectre.Console;

// Piped or redirected output is read by programs: tables and grids must never wrap a contact string or
// a key across lines, so the console is as wide as any line (Spectre otherwise assumes 80 columns).
if (Console.IsOutputRedirected)
{
    AnsiConsole.Profile.Width = 4096;
}

var root = new RootCommand("kad: a hardened Kademlia DHT for .NET");
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(IdCommand.Create());
root.Subcommands.Add(SimCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
KadCommands.AddTo(root);
return await KadInvocation.InvokeAsync(root, args).ConfigureAwait(false);
