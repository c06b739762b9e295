using Kademlia.Records;

namespace Kademlia;

/// <summary>What a node's record store holds at one moment.</summary>
/// <param name="Values">Live values (its own and those others stored on it), closest to the node's ID first.</param>
/// <param name="Topics">Topics it holds live providers of, closest to the node's ID first.</param>
public sealed record HeldRecords(IReadOnlyList<StoredValue> Values, IReadOnlyList<StoredTopic> Topics);
