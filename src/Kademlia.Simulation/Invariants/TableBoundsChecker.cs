namespace Kademlia.Simulation.Invariants;

/// <summary>
/// Routing tables never hold their owner, a contact twice, more than k contacts in a bucket, or (when
/// the limits are on) more contacts of one /24 than a bucket or the table allows.
/// </summary>
public sealed class TableBoundsChecker : IInvariantChecker
{
    /// <inheritdoc/>
    public string Name => "table bounds";

    /// <inheritdoc/>
    public void Check(MessageLevelNetwork network, ICollection<string> violations)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(violations);
        var k = network.Network.K;
        foreach (var owner in network.Nodes)
        {
            var contacts = owner.Table.Contacts;
            if (contacts.Contains(owner.Index))
            {
                violations.Add($"{Name}: node {owner.Index} holds itself");
            }

            if (contacts.Distinct().Count() != contacts.Count)
            {
                violations.Add($"{Name}: node {owner.Index} holds a contact twice");
            }

            foreach (var bucket in contacts.GroupBy(c => network.BucketOf(owner, c)))
            {
                if (bucket.Count() > k)
                {
                    violations.Add($"{Name}: node {owner.Index} bucket {bucket.Key} holds {bucket.Count()} > k = {k}");
                }

                if (network.Options.IpDiversityLimits
                    && bucket.GroupBy(c => network.Nodes[c].Info.Endpoint.IPv4Address >> 8).Any(g => g.Count() > network.Network.MaxPerSubnetPerBucket))
                {
                    violations.Add($"{Name}: node {owner.Index} bucket {bucket.Key} exceeds the per-/24 limit");
                }
            }

            if (network.Options.IpDiversityLimits
                && contacts.GroupBy(c => network.Nodes[c].Info.Endpoint.IPv4Address >> 8).Any(g => g.Count() > network.Network.MaxPerSubnetPerTable))
            {
                violations.Add($"{Name}: node {owner.Index} exceeds the per-/24 table limit");
            }
        }
    }
}
