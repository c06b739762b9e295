using Kademlia.Identity;

namespace Kademlia.Cli.Daemon;

/// <summary>
/// The data directory remembers its network in a file named <c>network</c> (the <c>--network</c> value,
/// one line): its identity's proof-of-work, its records and its contacts belong to that network, so a
/// start with another <c>--network</c> is refused (<see cref="ExitCodes.NetworkMismatch"/>) instead of
/// failing later in ways that do not name the cause.
/// </summary>
internal static class NetworkFile
{
    public const string FileName = "network";

    /// <summary>Checks the directory's network against <paramref name="network"/>, writing it on first use.</summary>
    /// <exception cref="CliException">The directory belongs to another network.</exception>
    public static void CheckOrWrite(string directory, NetworkParameters network)
    {
        var path = Path.Combine(directory, FileName);
        var wanted = CommonOptions.PresetName(network);
        if (File.Exists(path))
        {
            var saved = File.ReadAllText(path).Trim();
            if (saved != wanted)
            {
                throw new CliException(ExitCodes.NetworkMismatch,
                    $"data directory {directory} belongs to network '{saved}', not '{wanted}' (--network): run with --network {saved}, or use another --data-dir.");
            }

            return;
        }

        File.WriteAllText(path, wanted + "\n");
    }
}
