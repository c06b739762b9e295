using System.CommandLine;
using Kademlia.Identity;
using Spectre.Console;

namespace Kademlia.Cli.Commands;

/// <summary><c>kad id</c>: creates an identity, showing the proof-of-work search as it goes.</summary>
internal static class IdCommand
{
    public static Command Create()
    {
        var network = new Option<string>("--network") { Description = "Network preset: 'default' or 'test'.", DefaultValueFactory = _ => "default" };
        network.AcceptOnlyFromAmong("default", "test");
        var command = new Command("id", "Create a node identity (Ed25519 key with S/Kademlia proof-of-work) and show it.") { network };
        command.SetAction((result, cancellationToken) => Task.FromResult(Run(result.GetValue(network)!, cancellationToken)));
        return command;
    }

    private static int Run(string networkName, CancellationToken cancellationToken)
    {
        var network = networkName == "test" ? NetworkParameters.Test : NetworkParameters.Default;
        NodeIdentity? identity = null;
        try
        {
            AnsiConsole.Progress().Start(context =>
            {
                var keys = context.AddTask($"static puzzle ({network.StaticDifficulty} bits)", maxValue: Math.Pow(2, network.StaticDifficulty));
                var hashes = context.AddTask($"dynamic puzzle ({network.DynamicDifficulty} bits)", maxValue: Math.Pow(2, network.DynamicDifficulty));
                identity = NodeIdentity.Generate(network, new Reporter(keys, hashes), cancellationToken);
                keys.Value = keys.MaxValue;
                hashes.Value = hashes.MaxValue;
            });
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("kad id: cancelled.");
            return 130;
        }

        using (identity)
        {
            var grid = new Grid().AddColumns(2);
            grid.AddRow("node id", identity!.Id.ToString());
            grid.AddRow("public key", Convert.ToHexStringLower(identity.PublicKey));
            grid.AddRow("pow nonce", identity.PowNonce.ToString(System.Globalization.CultureInfo.InvariantCulture));
            grid.AddRow("static / dynamic bits", $"{ProofOfWork.StaticScore(identity.Id)} / {ProofOfWork.DynamicScore(identity.Id, identity.PowNonce)}");
            AnsiConsole.Write(grid);
        }

        return 0;
    }

    private sealed class Reporter(ProgressTask keys, ProgressTask hashes) : IProgress<ProofOfWorkProgress>
    {
        public void Report(ProofOfWorkProgress value)
        {
            var task = value.Stage == ProofOfWorkStage.StaticPuzzle ? keys : hashes;
            task.Value = Math.Min(value.Attempts, task.MaxValue);
        }
    }
}
