using Xunit.Abstractions;

namespace Kademlia.Simulation.Tests;

/// <summary>
/// Pairs of players drawn from a realistic NAT mix (<see cref="NatMix"/>), as docs/EVALUATION.md reports them
/// in "Player to player across NATs" (<see cref="HolePunchExperiment.Mix"/>): every pair must come out as
/// theory says and deliver its messages. The times are printed, not asserted (they are the report's).
/// </summary>
public sealed class HolePunchMeasurementTests(ITestOutputHelper output)
{
    [Fact]
    public void Pairs_from_a_realistic_NAT_mix_connect_as_theory_says_and_report_the_time_to_the_first_message()
    {
        var trials = HolePunchExperiment.Mix();

        Assert.Equal(HolePunchExperiment.MixPairs, trials.Count);
        foreach (var t in trials)
        {
            output.WriteLine($"| {t.JoinerKind} | {t.HostKind} | {t.Via} | {t.FirstMessage?.TotalMilliseconds:F0} | {t.Delivered}/{t.Sent} |");
        }

        Assert.All(trials, t => Assert.True(t.AsTheorySays, $"{t.JoinerKind} to {t.HostKind}: {t.Via}, theory says {(t.DirectInTheory ? "direct" : "relayed")} (seed {t.Seed})"));
        Assert.All(trials, t => Assert.True(t.FirstMessage is not null && t.Delivered == t.Sent, $"{t.JoinerKind} to {t.HostKind}: first message {t.FirstMessage}, {t.Delivered} of {t.Sent} delivered (seed {t.Seed})"));
        // The mix holds both kinds of pair, so the report has a row for each path.
        Assert.Contains(trials, t => t.DirectInTheory);
        Assert.Contains(trials, t => !t.DirectInTheory);
    }
}
