using Kademlia.Identity;
using Kademlia.Records;

namespace Kademlia.Tests.Records;

/// <summary>The record store contract, run against the in-memory store.</summary>
public sealed class MemoryRecordStoreTests : RecordStoreContract
{
    protected override IRecordStore Create(NodeId self, RecordStoreLimits? limits = null) => new MemoryRecordStore(self, limits);
}
