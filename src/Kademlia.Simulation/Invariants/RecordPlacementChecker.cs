namespace Kademlia.Simulation.Invariants;

/// <summary>Only honest nodes hold records (adversaries drop them), and only records that were published.</summary>
public sealed class RecordPlacementChecker : IInvariantChecker
{
    /// <inheritdoc/>
    public string Name => "record placement";

    /// <inheritdoc/>
    public void Check(MessageLevelNetwork network, ICollection<string> violations)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(violations);
        foreach (var node in network.Nodes)
        {
            if (node.RecordCount > 0 && node.Behavior != NodeBehavior.Honest)
            {
                violations.Add($"{Name}: {node.Behavior} node {node.Index} holds {node.RecordCount} records");
            }

            if (node.RecordCount > 0 && node.Records.Any(r => r < 0 || r >= network.RecordKeys.Count))
            {
                violations.Add($"{Name}: node {node.Index} holds a record never published");
            }
        }
    }
}
