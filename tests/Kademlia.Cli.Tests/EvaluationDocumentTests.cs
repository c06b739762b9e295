using System.Reflection;
using System.Text.RegularExpressions;
using Kademlia.Cli.Commands;

namespace Kademlia.Cli.Tests;

/// <summary>
/// docs/EVALUATION.md stays true: every section built only from the fast subset of the suite is
/// regenerated here and must match the committed file (regenerate with eval/run.sh when it does not).
/// </summary>
public class EvaluationDocumentTests
{
    private static readonly string DocumentPath = Path.Combine(
        typeof(EvaluationDocumentTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!,
        "docs", "EVALUATION.md");

    [Fact]
    public void The_committed_evaluation_matches_a_fresh_run_of_its_checked_sections()
    {
        var fresh = EvaluationReport.FreshCheckedSections();
        var committed = File.ReadAllText(DocumentPath);

        var differences = EvaluationReport.Differences(committed, fresh);

        Assert.True(differences.Count == 0,
            "docs/EVALUATION.md differs from a fresh run of its checked sections; regenerate it with eval/run.sh and commit it:\n" + string.Join("\n", differences));
        // The check covers the headline tables, not just the static prose.
        Assert.Contains("## Lookups at 10,000 nodes", fresh.Keys);
        Assert.Contains("## Full wire", fresh.Keys);
        Assert.Contains("## Player to player across NATs", fresh.Keys);
        Assert.All(fresh.Keys.Where(k => k != "## How the simulator works, and what it leaves out"), k => Assert.Contains(EvaluationReport.CheckedNote, fresh[k], StringComparison.Ordinal));

        // And it notices a changed figure: the count of the baseline's FIND_NODE row.
        var row = committed.Split('\n').First(l => l.StartsWith("| baseline | message | 10,000 | FIND_NODE | 1000 |", StringComparison.Ordinal));
        var tampered = committed.Replace(row, row.Replace("| 1000 |", "| 1001 |", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains(EvaluationReport.Differences(tampered, fresh), d => d.Contains("Lookups at 10,000 nodes", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_decimal_figure_the_analysis_cites_is_in_the_generated_part()
    {
        // The hand-written analysis may only quote what the tables above it say: a decimal figure
        // (a latency, a rate, a mean) that is not in them was copied from another run.
        var document = File.ReadAllText(DocumentPath);
        var marker = document.IndexOf("<!-- Hand-written analysis", StringComparison.Ordinal);
        Assert.True(marker > 0, "the analysis marker is missing");
        var generated = document[..marker];
        var analysis = document[marker..];

        var cited = Regex.Matches(analysis, @"(?<![\w.])\d[\d,]*\.\d+").Select(m => m.Value).Distinct().ToList();
        var missing = cited.Where(n => !Regex.IsMatch(generated, $@"(?<![\d.,]){Regex.Escape(n)}(?![\d])")).ToList();

        Assert.NotEmpty(cited);
        Assert.True(missing.Count == 0, "the analysis cites figures the generated tables do not hold: " + string.Join(", ", missing));
    }
}
