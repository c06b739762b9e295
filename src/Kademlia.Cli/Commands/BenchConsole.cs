using Spectre.Console;

namespace Kademlia.Cli.Commands;

/// <summary>Console settings shared by the <c>kad bench</c> tables.</summary>
internal static class BenchConsole
{
    /// <summary>Width of the tables when the output goes to a file or a pipe (Spectre would assume 80 and wrap every cell).</summary>
    private const int RedirectedWidth = 160;

    /// <summary>Widens the console when it is not a terminal, so that saved results keep one row per operation.</summary>
    public static void WidenWhenRedirected()
    {
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = RedirectedWidth;
        }
    }
}
