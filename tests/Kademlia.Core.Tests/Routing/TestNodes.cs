using CsCheck;
using Kademlia.Identity;
using Kademlia.Routing;

namespace Kademlia.Tests.Routing;

/// <summary>Cheap nodes for routing tests: random 32-byte "keys" on a network with no proof-of-work.</summary>
internal static class TestNodes
{
    /// <summary>No proof-of-work, loopback exempt from diversity limits.</summary>
    public static readonly NetworkParameters Network = NetworkParameters.Test with { StaticDifficulty = 0, DynamicDifficulty = 0 };

    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static NodeInfo Node(Random random, NodeEndpoint endpoint)
    {
        Span<byte> key = stackalloc byte[NodePublicKey.Size];
        random.NextBytes(key);
        return new NodeInfo(new NodePublicKey(key), 0, endpoint);
    }

    /// <summary>A node whose ID falls in <paramref name="bucket"/> of <paramref name="self"/>'s table (found by retrying).</summary>
    public static NodeInfo NodeInBucket(Random random, NodeId self, int bucket, NodeEndpoint endpoint)
    {
        while (true)
        {
            var node = Node(random, endpoint);
            if (self.CommonPrefixLength(node.Id) == bucket)
            {
                return node;
            }
        }
    }

    /// <summary>A distinct public IPv4 address per index: 10.x.y.1 style spread over many /24s.</summary>
    public static NodeEndpoint DistinctSubnet(int index) =>
        NodeEndpoint.FromIPv4((uint)((20 << 24) | ((index & 0xFFFF) << 8) | 1), 4000);

    public static NodeEndpoint Loopback(int index) => NodeEndpoint.FromIPv4(0x7F000001, (ushort)(10000 + index));

    public static readonly Gen<int> Seeds = Gen.Int;
}
