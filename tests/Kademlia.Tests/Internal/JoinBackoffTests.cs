using Kademlia.Internal;

namespace Kademlia.Tests.Internal;

public sealed class JoinBackoffTests
{
    [Fact]
    public void Waits_double_up_to_the_cap_and_each_lies_between_half_and_all_of_its_step()
    {
        var backoff = new JoinBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), new Random(7));
        double[] steps = [1, 2, 4, 8, 16, 32, 60, 60, 60];
        foreach (var step in steps)
        {
            var wait = backoff.Next().TotalSeconds;
            Assert.InRange(wait, step / 2, step);
        }
    }

    [Fact]
    public void Nodes_started_together_do_not_retry_together()
    {
        // Ten joiners, as on the loaded machine of issue 11: their first waits are spread, not equal.
        var firstWaits = Enumerable.Range(0, 10)
            .Select(seed => new JoinBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), new Random(seed)).Next())
            .ToHashSet();
        Assert.True(firstWaits.Count >= 9, $"only {firstWaits.Count} distinct waits among 10 joiners");
    }
}
