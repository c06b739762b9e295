using Kademlia.Engine.Internal;
using Xunit;

namespace Kademlia.Tests.Engine.Internal;

public sealed class RequestIdPoolTests
{
    [Fact]
    public void Ids_across_many_batches_are_distinct_and_use_every_bit()
    {
        var pool = new RequestIdPool();
        var seen = new HashSet<ulong>();
        ulong anyOnes = 0, anyZeros = 0;
        for (var i = 0; i < 10_000; i++)
        {
            var id = pool.Next();
            Assert.True(seen.Add(id), $"request ID {id:x16} repeated after {i} draws");
            anyOnes |= id;
            anyZeros |= ~id;
        }

        // 10,000 random 64-bit IDs: a repeat has probability about 3e-12, a bit that never varies 2^-10,000.
        Assert.Equal(ulong.MaxValue, anyOnes);
        Assert.Equal(ulong.MaxValue, anyZeros);
    }

    [Fact]
    public void Two_pools_draw_different_ids()
    {
        var a = new RequestIdPool();
        var b = new RequestIdPool();
        var fromA = Enumerable.Range(0, 100).Select(_ => a.Next()).ToHashSet();
        var fromB = Enumerable.Range(0, 100).Select(_ => b.Next()).ToHashSet();
        fromA.IntersectWith(fromB);
        Assert.Empty(fromA);
    }
}
