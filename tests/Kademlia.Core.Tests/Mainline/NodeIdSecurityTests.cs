using System.Net;
using CsCheck;
using Kademlia.Mainline;

namespace Kademlia.Tests.Mainline;

/// <summary>BEP 42 node IDs against the BEP's table of test vectors ("IP, rand, example node ID").</summary>
public class NodeIdSecurityTests
{
    public static TheoryData<string, int, string> Vectors => new()
    {
        { "124.31.75.21", 1, "5fbfbff10c5d6a4ec8a88e4c6ab4c28b95eee401" },
        { "21.75.31.124", 86, "5a3ce9c14e7a08645677bbd1cfe7d8f956d53256" },
        { "65.23.51.170", 22, "a5d43220bc8f112a3d426c84764f8c2a1150e616" },
        { "84.124.73.14", 65, "1b0321dd1bb1fe518101ceef99462b947a01ff41" },
        { "43.213.53.83", 90, "e56f6cbf5b7c4be0237986d5243b87aa6d51305a" },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void The_bep_42_example_ids_match_their_addresses(string ip, int rand, string exampleId)
    {
        var address = IPAddress.Parse(ip);
        var id = MainlineId.Parse(exampleId);
        Assert.True(NodeIdSecurity.Matches(id, address));
        Assert.True(NodeIdSecurity.IsValid(id, address));

        // Generating with the vector's random byte and the example's own random bytes gives the example ID:
        // its first 21 bits come from the CRC, the rest from the random input.
        var random = id.ToArray();
        random[19] = (byte)rand;
        Assert.Equal(id, NodeIdSecurity.Generate(address, random));
    }

    [Fact]
    public void An_example_id_does_not_match_another_vectors_address()
    {
        var rows = Vectors.Select(row => ((string)row[0], (string)row[2])).ToArray();
        for (var i = 0; i < rows.Length; i++)
        {
            var other = rows[(i + 1) % rows.Length];
            Assert.False(NodeIdSecurity.Matches(MainlineId.Parse(rows[i].Item2), IPAddress.Parse(other.Item1)));
        }
    }

    [Fact]
    public void The_first_vector_prefix_is_the_crc32c_of_the_masked_address()
    {
        // 124.31.75.21 & 0x030f3fff = 0x000f0b15; with r = 1 in the top 3 bits, 0x200f0b15.
        // The table's ID starts 5f bf bf; only the top 5 bits of the third byte come from the CRC.
        var crc = NodeIdSecurity.ComputePrefix(IPAddress.Parse("124.31.75.21"), 1);
        Assert.Equal(0x5fbfb800u, crc & 0xfffff800u);
        Assert.Equal(crc, System.IO.Hashing.Crc32.HashToUInt32(System.IO.Hashing.Crc32ParameterSet.Crc32C, [0x20, 0x0f, 0x0b, 0x15]));
    }

    [Fact]
    public void Generated_ids_match_their_address_and_a_changed_prefix_bit_does_not() =>
        Gen.Select(Gen.Byte.Array[4], Gen.Byte.Array[16], Gen.Bool, Gen.Byte.Array[MainlineId.Size], Gen.Int[0, 20])
            .Sample((v4, v6, useV6, random, bit) =>
            {
                var address = useV6 ? new IPAddress([0x20, .. v6[1..]]) : new IPAddress(v4);
                var id = NodeIdSecurity.Generate(address, random);
                Assert.True(NodeIdSecurity.Matches(id, address));

                var bytes = id.ToArray();
                bytes[bit / 8] ^= (byte)(0x80 >> (bit % 8));
                Assert.False(NodeIdSecurity.Matches(new MainlineId(bytes), address));
            });

    [Fact]
    public void Ipv6_uses_the_first_8_bytes_and_the_bep_42_mask()
    {
        // Bits the mask clears, and every byte past the first eight, do not change the prefix.
        var a = IPAddress.Parse("2001:db8:1:2:3:4:5:6");
        var b = IPAddress.Parse("2001:db8:1:2:ffff:ffff:ffff:ffff");
        var c = IPAddress.Parse("fe01:db8:1:2::");
        Assert.Equal(NodeIdSecurity.ComputePrefix(a, 3), NodeIdSecurity.ComputePrefix(b, 3));
        Assert.Equal(NodeIdSecurity.ComputePrefix(a, 3), NodeIdSecurity.ComputePrefix(c, 3));
        Assert.NotEqual(NodeIdSecurity.ComputePrefix(a, 3), NodeIdSecurity.ComputePrefix(a, 4));
    }

    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("192.168.7.7", true)]
    [InlineData("169.254.1.1", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fd00::1", true)]
    [InlineData("8.8.8.8", false)]
    [InlineData("2001:db8::1", false)]
    public void Local_addresses_are_exempt(string ip, bool exempt)
    {
        var address = IPAddress.Parse(ip);
        Assert.Equal(exempt, NodeIdSecurity.IsExempt(address));
        var arbitrary = MainlineId.Parse("0000000000000000000000000000000000000000");
        Assert.Equal(exempt || NodeIdSecurity.Matches(arbitrary, address), NodeIdSecurity.IsValid(arbitrary, address));
    }
}
