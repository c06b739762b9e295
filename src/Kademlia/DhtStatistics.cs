using Kademlia.Engine;
using Kademlia.Records;

namespace Kademlia;

/// <summary>A snapshot of a node: its routing table by bucket, its records and its traffic.</summary>
/// <param name="Engine">Traffic, drops by reason, queries and sessions.</param>
/// <param name="Buckets">Contacts per non-empty bucket index (common-prefix length with our ID).</param>
/// <param name="Records">Counts and sizes of the record store.</param>
public sealed record DhtStatistics(EngineStatistics Engine, IReadOnlyDictionary<int, int> Buckets, RecordStoreStatistics Records);
