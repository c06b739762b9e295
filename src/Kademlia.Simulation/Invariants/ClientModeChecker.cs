namespace Kademlia.Simulation.Invariants;

/// <summary>
/// With client mode on, no routing table holds a node behind a NAT: receivers skip a client's requests as
/// table candidates, and nobody learns a client from anyone else's answers, so a public node never pays a
/// timeout on one (issue 14). Without client mode the count is measured, not checked.
/// </summary>
public sealed class ClientModeChecker : IInvariantChecker
{
    /// <inheritdoc/>
    public string Name => "client mode";

    /// <summary>Contacts behind a NAT in the tables of reachable nodes, and all contacts of those tables.</summary>
    public static (int Natted, long Contacts) CountPublicTables(MessageLevelNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var natted = 0;
        long contacts = 0;
        foreach (var owner in network.Nodes)
        {
            if (!owner.IsReachable || !owner.HasTable)
            {
                continue;
            }

            foreach (var contact in owner.Table.Contacts)
            {
                contacts++;
                if (!network.Nodes[contact].IsReachable) natted++;
            }
        }

        return (natted, contacts);
    }

    /// <inheritdoc/>
    public void Check(MessageLevelNetwork network, ICollection<string> violations)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(violations);
        if (!network.Options.ClientMode || network.NodesBehindNat == 0)
        {
            // Nothing to hold: without NATs the scan over every table's contacts (150 million at a
            // million nodes, each a cache miss) would find nothing.
            return;
        }

        foreach (var owner in network.Nodes)
        {
            if (!owner.HasTable)
            {
                continue;
            }

            foreach (var contact in owner.Table.Contacts)
            {
                if (network.Nodes[contact].Nat is not null)
                {
                    violations.Add($"{Name}: node {owner.Index} ({(owner.IsReachable ? "public" : "behind a NAT")}) holds node {contact}, which is behind a NAT");
                }
            }
        }
    }
}
