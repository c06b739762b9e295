using System.CommandLine;

namespace Kademlia.Cli.Commands;

/// <summary>
/// The options of every command that talks to a node: through the daemon of <c>--data-dir</c>, or,
/// with <c>--bootstrap</c>, one-shot through a temporary node of its own.
/// </summary>
internal sealed class ClientOptions
{
    public ClientOptions(bool oneShot = true)
    {
        DataDirectory = CommonOptions.DataDirectory("The data directory of the running daemon to use. Defaults to ~/.kad.");
        Json = new Option<bool>("--json") { Description = "Print the result as one JSON object (for scripts)." };
        Timeout = new Option<double>("--timeout") { Description = "Seconds before giving up.", DefaultValueFactory = _ => 60 };
        Timeout.Check(t => t is <= 0 or > 86_400 ? "--timeout must be more than 0 seconds (there is no \"no timeout\"; the longest is 86400, a day)." : null);
        if (oneShot)
        {
            Bootstrap = CommonOptions.Bootstrap("Run one-shot: join through this node (repeatable) with a temporary node instead of using a daemon.");
            Network = CommonOptions.Network();
        }
    }

    public Option<string> DataDirectory { get; }

    public Option<bool> Json { get; }

    public Option<double> Timeout { get; }

    public Option<string[]>? Bootstrap { get; }

    public Option<string>? Network { get; }

    public void AddTo(Command command)
    {
        command.Options.Add(DataDirectory);
        if (Bootstrap is not null)
        {
            command.Options.Add(Bootstrap);
            command.Options.Add(Network!);
        }

        command.Options.Add(Json);
        command.Options.Add(Timeout);
    }

    public ClientSettings Read(ParseResult result) => new(
        CommonOptions.FullDataDirectory(result.GetValue(DataDirectory)),
        Bootstrap is null ? [] : result.GetValue(Bootstrap) ?? [],
        CommonOptions.ToNetwork(Network is null ? null : result.GetValue(Network)),
        result.GetValue(Json),
        TimeSpan.FromSeconds(result.GetValue(Timeout)));
}
