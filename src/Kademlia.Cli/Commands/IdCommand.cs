using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kademlia.Identity;
using Kademlia.Sqlite;
using Spectre.Console;

namespace Kademlia.Cli.Commands;

/// <summary>
/// <c>kad id</c>: shows the identity of a data directory, creates one there (<c>--create</c>, with the
/// proof-of-work search shown as it goes), or, without <c>--data-dir</c>, generates a throwaway one.
/// </summary>
internal static class IdCommand
{
    public static Command Create()
    {
        var network = CommonOptions.Network();
        var dataDir = new Option<string?>("--data-dir") { Description = "Show the identity kept in this data directory (as 'kad node' uses it).", HelpName = "dir" };
        var create = new Option<bool>("--create") { Description = "With --data-dir: create the identity if there is none (an existing one is never replaced)." };
        var json = new Option<bool>("--json") { Description = "Print the identity as one JSON object." };
        var command = new Command("id", "Show or create a node identity (Ed25519 key with S/Kademlia proof-of-work).") { network, dataDir, create, json };
        command.Check(r => r.GetValue(create) && r.GetValue(dataDir) is null ? "--create needs --data-dir." : null);
        command.SetAction((result, cancellationToken) => Task.FromResult(Run(
            CommonOptions.ToNetwork(result.GetValue(network)),
            result.GetValue(dataDir) is { } dir ? CommonOptions.FullDataDirectory(dir) : null,
            result.GetValue(create),
            result.GetValue(json),
            cancellationToken)));
        return command;
    }

    private static int Run(NetworkParameters network, string? dataDirectory, bool create, bool json, CancellationToken cancellationToken)
    {
        NodeIdentity identity;
        string? keyPath = null;
        if (dataDirectory is null)
        {
            identity = Generate(network, json, progress => NodeIdentity.Generate(network, progress, cancellationToken));
        }
        else
        {
            keyPath = Path.Combine(dataDirectory, "identity.key");
            if (File.Exists(keyPath) || Directory.Exists(keyPath))
            {
                // Reading needs no lock: the key file is written once and never replaced.
                identity = IdentityKeyFile.Load(keyPath, network);
            }
            else if (!create)
            {
                var what = Directory.Exists(dataDirectory) ? $"no identity in {dataDirectory}" : $"data directory {dataDirectory} does not exist";
                throw new CliException(ExitCodes.DataDirectoryMissing, $"{what} (create one with 'kad id --data-dir {dataDirectory} --create', or start 'kad node --data-dir {dataDirectory}').");
            }
            else
            {
                using var directory = DataDirectory.Open(dataDirectory);
                identity = Generate(network, json, progress => IdentityKeyFile.LoadOrCreate(directory.IdentityKeyPath, network, progress, cancellationToken));
            }
        }

        using (identity)
        {
            Show(identity, keyPath, json);
        }

        return ExitCodes.Success;
    }

    private static NodeIdentity Generate(NetworkParameters network, bool quiet, Func<IProgress<ProofOfWorkProgress>?, NodeIdentity> generate)
    {
        if (quiet || Console.IsOutputRedirected)
        {
            return generate(null);
        }

        NodeIdentity? identity = null;
        AnsiConsole.Progress().Start(context =>
        {
            var keys = context.AddTask($"static puzzle ({network.StaticDifficulty} bits)", maxValue: Math.Pow(2, network.StaticDifficulty));
            var hashes = context.AddTask($"dynamic puzzle ({network.DynamicDifficulty} bits)", maxValue: Math.Pow(2, network.DynamicDifficulty));
            identity = generate(new Reporter(keys, hashes));
            keys.Value = keys.MaxValue;
            hashes.Value = hashes.MaxValue;
        });
        return identity!;
    }

    private static void Show(NodeIdentity identity, string? keyPath, bool json)
    {
        var nonce = identity.PowNonce.ToString(CultureInfo.InvariantCulture);
        if (json)
        {
            var o = new JsonObject
            {
                ["id"] = identity.Id.ToString(),
                ["publicKey"] = Convert.ToHexStringLower(identity.PublicKey),
                ["powNonce"] = identity.PowNonce,
                ["staticBits"] = ProofOfWork.StaticScore(identity.Id),
                ["dynamicBits"] = ProofOfWork.DynamicScore(identity.Id, identity.PowNonce),
                ["keyFile"] = keyPath,
            };
            Console.WriteLine(o.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
            return;
        }

        var grid = new Grid().AddColumns(2);
        grid.AddRow("node id", identity.Id.ToString());
        grid.AddRow("public key", Convert.ToHexStringLower(identity.PublicKey));
        grid.AddRow("pow nonce", nonce);
        grid.AddRow("static / dynamic bits", $"{ProofOfWork.StaticScore(identity.Id)} / {ProofOfWork.DynamicScore(identity.Id, identity.PowNonce)}");
        if (keyPath is not null)
        {
            grid.AddRow("key file", Markup.Escape(keyPath));
        }

        AnsiConsole.Write(grid);
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
