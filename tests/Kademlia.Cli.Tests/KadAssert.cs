namespace Kademlia.Cli.Tests;

/// <summary>Checks shared by the CLI's error-path tests.</summary>
internal static class KadAssert
{
    /// <summary>
    /// The run ended with <paramref name="exitCode"/> and one stderr line, "kad: …", that mentions
    /// <paramref name="mentions"/>, and no stack trace.
    /// </summary>
    public static void AssertOneLine(KadRun run, int exitCode, string mentions)
    {
        Assert.True(run.ExitCode == exitCode, run.ToString());
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("kad: ", line, StringComparison.Ordinal);
        Assert.Contains(mentions, line, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }
}
