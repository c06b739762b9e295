using System.Numerics;
using CsCheck;
using Kademlia.Identity;

namespace Kademlia.Tests.Identity;

public class NodeIdTests
{
    internal static readonly Gen<NodeId> GenId = Gen.Byte.Array[NodeId.Size].Select(bytes => new NodeId(bytes));

    private static BigInteger ToInteger(NodeId id) => new(id.ToArray(), isUnsigned: true, isBigEndian: true);

    [Fact]
    public void Distance_is_zero_only_to_itself() =>
        Gen.Select(GenId, GenId).Sample((x, y) =>
            x.DistanceTo(x).IsZero && (x.DistanceTo(y).IsZero == (x == y)));

    [Fact]
    public void Distance_is_symmetric() =>
        Gen.Select(GenId, GenId).Sample((x, y) => x.DistanceTo(y) == y.DistanceTo(x));

    [Fact]
    public void Distance_obeys_the_triangle_inequality() =>
        Gen.Select(GenId, GenId, GenId).Sample((x, y, z) =>
            ToInteger(x ^ z) <= ToInteger(x ^ y) + ToInteger(y ^ z));

    [Fact]
    public void Distance_is_unidirectional() =>
        // For any x and distance d there is exactly one y at distance d: y = x ^ d, and any other
        // point is at another distance.
        Gen.Select(GenId, GenId, GenId).Sample((x, delta, other) =>
        {
            var y = x ^ delta;
            return x.DistanceTo(y) == delta && (other == y || x.DistanceTo(other) != delta);
        });

    [Fact]
    public void Distance_equals_the_integer_xor() =>
        Gen.Select(GenId, GenId).Sample((x, y) => ToInteger(x ^ y) == (ToInteger(x) ^ ToInteger(y)));

    [Fact]
    public void CompareDistance_orders_like_the_integer_distances() =>
        Gen.Select(GenId, GenId, GenId).Sample((target, a, b) =>
            Math.Sign(target.CompareDistance(a, b)) == Math.Sign(ToInteger(a ^ target).CompareTo(ToInteger(b ^ target))));

    [Fact]
    public void CompareTo_orders_like_unsigned_integers() =>
        Gen.Select(GenId, GenId).Sample((a, b) => Math.Sign(a.CompareTo(b)) == Math.Sign(ToInteger(a).CompareTo(ToInteger(b))));

    [Fact]
    public void CommonPrefixLength_counts_equal_leading_bits() =>
        Gen.Select(GenId, GenId, Gen.Int[0, 256]).Sample((a, noise, keep) =>
        {
            // Build b sharing exactly `keep` leading bits with a (or all 256).
            var bits = Enumerable.Range(0, NodeId.Bits).Select(i => i < keep ? a.GetBit(i) : i == keep ? !a.GetBit(i) : noise.GetBit(i)).ToArray();
            var bytes = new byte[NodeId.Size];
            for (var i = 0; i < NodeId.Bits; i++)
            {
                if (bits[i]) bytes[i / 8] |= (byte)(0x80 >> (i % 8));
            }

            var b = new NodeId(bytes);
            return a.CommonPrefixLength(b) == keep && b.CommonPrefixLength(a) == keep;
        });

    [Fact]
    public void Hex_round_trips() =>
        GenId.Sample(id => NodeId.Parse(id.ToString()) == id && id.ToString().Length == 64);

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("zz00000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("000000000000000000000000000000000000000000000000000000000000000000")]
    public void TryParse_refuses_anything_but_64_hex_digits(string text)
    {
        Assert.False(NodeId.TryParse(text, out _));
        Assert.Throws<FormatException>(() => NodeId.Parse(text));
    }

    [Fact]
    public void RandomInBucket_falls_in_the_requested_bucket() =>
        Gen.Select(GenId, Gen.Int[0, 255], Gen.Int).Sample((self, bucket, seed) =>
            self.CommonPrefixLength(NodeId.RandomInBucket(self, bucket, new Random(seed))) == bucket);

    [Fact]
    public void Bytes_round_trip_big_endian()
    {
        var bytes = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var id = new NodeId(bytes);
        Assert.Equal(bytes, id.ToArray());
        Assert.Equal("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", id.ToString());
        Assert.Equal(15, id.LeadingZeroCount());
        Assert.Equal("00010203", id.ToShortString());
    }
}
