using System.CommandLine;

namespace Kademlia.Cli.Commands;

/// <summary><c>kad bench</c>: end-to-end measurements of the real system on loopback.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Measure the real system end to end: nodes on 127.0.0.1 in this process, real UDP.");
        command.Subcommands.Add(BenchNetworkCommand.Create());
        command.Subcommands.Add(BenchLookupCommand.Create());
        command.Subcommands.Add(BenchPingCommand.Create());
        return command;
    }
}
