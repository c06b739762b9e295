using System.CommandLine;

namespace Kademlia.Cli.Commands;

/// <summary>The daemon and the commands that talk to a node, registered with one call from Program.cs.</summary>
internal static class KadCommands
{
    public static void AddTo(RootCommand root)
    {
        root.Subcommands.Add(NodeCommand.Create());
        root.Subcommands.Add(PutCommand.Create());
        root.Subcommands.Add(GetCommand.Create());
        root.Subcommands.Add(AnnounceCommand.Create());
        root.Subcommands.Add(ProvidersCommand.Create());
        root.Subcommands.Add(FindCommand.Create());
        root.Subcommands.Add(PingCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(MainlineCommand.Create());
    }
}
