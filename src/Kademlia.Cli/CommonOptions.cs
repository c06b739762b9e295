using System.CommandLine;
using System.Net;
using Kademlia.Identity;
using Kademlia.Routing;

namespace Kademlia.Cli;

/// <summary>Options several commands share, and how their values are read. Each command gets its own instances.</summary>
internal static class CommonOptions
{
    /// <summary><c>~/.kad</c>, the data directory when <c>--data-dir</c> is not given.</summary>
    public static string DefaultDataDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kad");

    public static Option<string> DataDirectory(string description) => new("--data-dir")
    {
        Description = description,
        DefaultValueFactory = _ => DefaultDataDirectory,
        HelpName = "dir",
    };

    public static Option<string> Network()
    {
        var option = new Option<string>("--network")
        {
            Description = "Network preset: 'default' (the public parameters) or 'test' (cheap proof-of-work, loopback-friendly).",
            DefaultValueFactory = _ => "default",
        };
        option.AcceptOnlyFromAmong("default", "test");
        return option;
    }

    public static Option<string[]> Bootstrap(string description)
    {
        var option = new Option<string[]>("--bootstrap")
        {
            Description = description,
            HelpName = "key.nonce@host:port|host:port",
            DefaultValueFactory = _ => [],
        };
        option.Validators.Add(result =>
        {
            foreach (var seed in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (SeedSyntax.Problem(seed) is { } problem)
                {
                    result.AddError($"--bootstrap: {problem}");
                    return;
                }
            }
        });
        return option;
    }

    /// <summary>
    /// <c>--dashboard [address:port|port]</c>: serve the live web dashboard. Alone, on 127.0.0.1 at a port the
    /// system chooses; a bare port is on 127.0.0.1.
    /// </summary>
    public static Option<string?> Dashboard(string description)
    {
        var option = new Option<string?>("--dashboard")
        {
            Description = description,
            HelpName = "address:port",
            Arity = ArgumentArity.ZeroOrOne,
        };
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && ParseDashboard(result.Tokens[0].Value) is null)
            {
                result.AddError($"--dashboard '{result.Tokens[0].Value}' is neither address:port nor a port.");
            }
        });
        return option;
    }

    /// <summary>The dashboard endpoint asked for, or null when <c>--dashboard</c> was not given.</summary>
    public static IPEndPoint? ToDashboard(ParseResult result, Option<string?> option) =>
        result.GetResult(option) is null ? null : ParseDashboard(result.GetValue(option)) ?? new IPEndPoint(IPAddress.Loopback, 0);

    private static IPEndPoint? ParseDashboard(string? value) =>
        string.IsNullOrEmpty(value) ? new IPEndPoint(IPAddress.Loopback, 0)
        : ushort.TryParse(value, out var port) ? new IPEndPoint(IPAddress.Loopback, port)
        : IPEndPoint.TryParse(value, out var endpoint) && value.Contains(':', StringComparison.Ordinal) ? endpoint
        : null;

    public static NetworkParameters ToNetwork(string? name) => name == "test" ? NetworkParameters.Test : NetworkParameters.Default;

    /// <summary>The <c>--network</c> value that names <paramref name="network"/>.</summary>
    public static string PresetName(NetworkParameters network) => network == NetworkParameters.Test ? "test" : "default";

    /// <summary>Full path of a data directory option value (so messages and the control file agree).</summary>
    public static string FullDataDirectory(string? value) => Path.GetFullPath(string.IsNullOrEmpty(value) ? DefaultDataDirectory : value);

    /// <summary>
    /// Splits bootstrap strings into known contacts (IK handshake) and bare addresses (XX), resolving
    /// host names. A name that does not resolve means the bootstrap is unreachable.
    /// </summary>
    public static async Task<(List<NodeInfo> Contacts, List<EndPoint> Addresses)> ResolveSeedsAsync(IEnumerable<string> seeds, CancellationToken cancellationToken)
    {
        var contacts = new List<NodeInfo>();
        var addresses = new List<EndPoint>();
        foreach (var seed in seeds)
        {
            if (SeedSyntax.Problem(seed) is { } problem)
            {
                throw new CliException(ExitCodes.Usage, $"--bootstrap: {problem}");
            }

            if (ContactString.TryParse(seed, out var node, out var address))
            {
                if (node is { } known)
                {
                    contacts.Add(known);
                }
                else
                {
                    addresses.Add(address!);
                }
            }
            else if (ContactString.TryParseHost(seed, out var host, out var port))
            {
                addresses.Add(new IPEndPoint(await Control.NodeOperations.ResolveAsync(host, cancellationToken).ConfigureAwait(false), port));
            }
        }

        return (contacts, addresses);
    }
}
