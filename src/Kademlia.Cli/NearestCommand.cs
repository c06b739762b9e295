using System.CommandLine;

namespace Kademlia.Cli;

/// <summary>
/// The subcommand a mistyped word most likely meant: the name (or alias) at the smallest edit
/// distance, if it is close enough to be a typo rather than another word.
/// </summary>
internal static class NearestCommand
{
    public static string? Suggest(Command parent, string typed)
    {
        var best = parent.Subcommands
            .SelectMany(c => c.Aliases.Prepend(c.Name).Select(alias => (c.Name, Distance: EditDistance(typed.ToLowerInvariant(), alias))))
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        // A third of the word may be wrong (at least one letter, at most three): "stauts", "anounce", "providres".
        return best.Name is not null && best.Distance <= Math.Clamp(typed.Length / 3, 1, 3) ? best.Name : null;
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1.</summary>
    internal static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
