using Kademlia.Engine;
using Kademlia.Records;

namespace Kademlia;

/// <summary>A snapshot of a node: its routing table by bucket, its records, its traffic and the faults it contained.</summary>
/// <param name="Engine">Traffic, drops by reason, queries and sessions.</param>
/// <param name="Buckets">Contacts per non-empty bucket index (common-prefix length with our ID).</param>
/// <param name="Records">Counts and sizes of the record store.</param>
public sealed record DhtStatistics(EngineStatistics Engine, IReadOnlyDictionary<int, int> Buckets, RecordStoreStatistics Records)
{
    /// <summary>Exceptions the node contained instead of stopping (see <see cref="DhtFaults"/>).</summary>
    public DhtFaults Faults { get; init; }
}
