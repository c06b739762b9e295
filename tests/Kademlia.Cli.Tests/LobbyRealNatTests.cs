using Xunit.Abstractions;

namespace Kademlia.Cli.Tests;

/// <summary>
/// Issue 15, item 6: <c>tests/netns/lobby-nat.sh</c> as a test. The GameLobby example's host and joiner run in
/// two private network namespaces, each behind its own nftables NAT router, find each other through
/// <c>kad node</c>s in a public namespace and play a scripted game: punched (Direct) between two
/// endpoint-independent NATs, relayed by a rendezvous when the joiner's NAT maps per destination
/// (<c>masquerade random</c>), every move delivered (see the script's header). Needs root, like
/// <see cref="RealNatTests"/>, and runs in the same collection, so never at the same time as it.
/// </summary>
[Collection(RealNatCollection.Name)]
public sealed class LobbyRealNatTests(ITestOutputHelper output)
{
    /// <summary>The script's own limit; the test waits a minute longer at most.</summary>
    private static readonly TimeSpan ScriptLimit = TimeSpan.FromSeconds(240);

    [LobbyNatFact]
    public async Task Two_players_behind_real_NATs_find_a_table_and_play_it_punched_between_cone_NATs_and_relayed_past_a_symmetric_one()
    {
        var (exitCode, text) = await NetnsScript.RunAsync(RealNat.LobbyScript, ScriptLimit, new Dictionary<string, string>
        {
            ["KAD_DLL"] = KadExecutable.Path,
            ["KAD_LOBBY_DLL"] = RealNat.LobbyDll,
        });
        output.WriteLine(text);
        var failures = string.Join('\n', text.Split('\n').Where(line => line.Contains(" lobby-nat: FAIL", StringComparison.Ordinal)));
        Assert.True(exitCode == 0, $"lobby-nat.sh exited {exitCode}:\n{failures}\n---\n{text}");
        Assert.Contains("PASS game r1-direct: the channel is Direct", text, StringComparison.Ordinal);
        Assert.Contains("PASS game r1-relayed: the channel is Relayed", text, StringComparison.Ordinal);
        Assert.Contains(" 0 failed", text, StringComparison.Ordinal);
    }
}

/// <summary>
/// A fact that runs only where <c>lobby-nat.sh</c> can: where <c>real-nat.sh</c> can (<see cref="RealNatFactAttribute"/>)
/// and the GameLobby example is built. Anywhere else it is skipped and says why.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LobbyNatFactAttribute : FactAttribute
{
    public LobbyNatFactAttribute()
    {
        if (RealNat.WhyNot() is { } reason)
        {
            Skip = reason.Replace("real NAT test", "lobby NAT test", StringComparison.Ordinal);
        }
        else if (!File.Exists(RealNat.LobbyScript))
        {
            Skip = $"lobby NAT test: {RealNat.LobbyScript} not found.";
        }
        else if (!File.Exists(RealNat.LobbyDll))
        {
            Skip = $"lobby NAT test: {RealNat.LobbyDll} not built (dotnet build examples/GameLobby -c Release).";
        }
    }
}
