using System.Text.Json;

namespace Kademlia.Cli.Tests;

/// <summary>Reads the <c>--json</c> output of a successful run.</summary>
internal static class Json
{
    public static JsonElement Of(KadRun run)
    {
        Assert.True(run.ExitCode == 0, run.ToString());
        return JsonDocument.Parse(run.Stdout).RootElement.Clone();
    }
}
