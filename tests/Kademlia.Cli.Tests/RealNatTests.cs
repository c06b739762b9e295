using System.Globalization;
using System.Reflection;
using Xunit.Abstractions;

namespace Kademlia.Cli.Tests;

/// <summary>
/// Issue 14, item 6: <c>tests/netns/real-nat.sh</c> as a test, so that its result counts in CI's totals.
/// The script builds Linux network namespaces with nftables masquerade and runs <c>kad node</c> processes in
/// them (see its header for the topology and the checks). It needs root; where it cannot run the test is
/// reported as skipped, with the reason (<see cref="RealNatFactAttribute"/>).
/// </summary>
[Collection(RealNatCollection.Name)]
public sealed class RealNatTests(ITestOutputHelper output)
{
    /// <summary>The script's own limit (it runs itself under <c>timeout</c>); the test waits a little longer.</summary>
    private static readonly TimeSpan ScriptLimit = TimeSpan.FromSeconds(360);

    [RealNatFact]
    public async Task NATed_nodes_behind_nftables_masquerade_learn_their_address_find_themselves_private_work_as_clients_and_stay_out_of_public_tables()
    {
        var (exitCode, text) = await NetnsScript.RunAsync(RealNat.Script, ScriptLimit, new Dictionary<string, string> { ["KAD_DLL"] = KadExecutable.Path });
        output.WriteLine(text);
        // The failed checks first: a report that keeps only a message's first lines still names them.
        var failures = string.Join('\n', text.Split('\n').Where(line => line.Contains(" real-nat: FAIL", StringComparison.Ordinal)));
        Assert.True(exitCode == 0, $"real-nat.sh exited {exitCode}:\n{failures}\n---\n{text}");
        Assert.Contains(" 0 failed", text, StringComparison.Ordinal);
    }
}

/// <summary>
/// Runs alone: a dozen node processes on a loaded machine would slow the other process tests and itself.
/// Both namespace scripts (<see cref="RealNatTests"/>, <see cref="LobbyRealNatTests"/>) are in it, so they
/// run one after the other, never together.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealNatCollection
{
    public const string Name = "real NAT (network namespaces)";
}

/// <summary>
/// A fact that runs only where <c>real-nat.sh</c> can: Linux, with the capabilities to create network
/// namespaces (root), and <c>ip</c>, <c>nft</c>, <c>jq</c> and <c>timeout</c> on the PATH. Anywhere else it
/// is skipped and says why (xunit 2 decides skips when it discovers tests, so the conditions are read here).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RealNatFactAttribute : FactAttribute
{
    public RealNatFactAttribute()
    {
        if (RealNat.WhyNot() is { } reason)
        {
            Skip = reason;
        }
    }
}

internal static class RealNat
{
    private const int CapNetAdmin = 12;
    private const int CapSysAdmin = 21;

    /// <summary>The script, where the build recorded it (an assembly attribute of this project).</summary>
    public static string Script => Recorded("RealNatScript");

    /// <summary>The lobby's script (<see cref="LobbyRealNatTests"/>), where the build recorded it.</summary>
    public static string LobbyScript => Recorded("LobbyNatScript");

    /// <summary>The built GameLobby example the lobby's script runs, where the build recorded it.</summary>
    public static string LobbyDll => Recorded("GameLobbyDll");

    private static string Recorded(string key) =>
        typeof(RealNat).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == key).Value!;

    /// <summary>Why the script cannot run here, or null when it can.</summary>
    public static string? WhyNot()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "real NAT test: Linux network namespaces only.";
        }

        if (!HasCapabilities())
        {
            return "real NAT test: needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) to create network namespaces; CI runs it as root.";
        }

        var missing = new[] { "bash", "ip", "nft", "jq", "timeout" }.Where(tool => !OnPath(tool)).ToList();
        if (missing.Count > 0)
        {
            return $"real NAT test: {string.Join(", ", missing)} not on the PATH (apt-get install iproute2 nftables jq; .ci/run does).";
        }

        return File.Exists(Script) ? null : $"real NAT test: {Script} not found.";
    }

    /// <summary>The effective capability set of this process (<c>CapEff</c> in /proc/self/status) has both.</summary>
    private static bool HasCapabilities()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
            if (line is null || !ulong.TryParse(line["CapEff:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var effective))
            {
                return false;
            }

            return (effective & (1UL << CapNetAdmin)) != 0 && (effective & (1UL << CapSysAdmin)) != 0;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, tool)));
}
