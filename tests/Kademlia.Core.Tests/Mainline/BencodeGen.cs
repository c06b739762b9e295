using CsCheck;
using Kademlia.Mainline;

namespace Kademlia.Tests.Mainline;

/// <summary>CsCheck generators of bencoded values, boundaries weighted in.</summary>
internal static class BencodeGen
{
    public static readonly Gen<long> Integer = Gen.Frequency(
        (4, Gen.Long[-1000, 1000]),
        (2, Gen.Long),
        (1, Gen.OneOfConst(0L, -1L, 1L, 9L, 10L, -10L, long.MaxValue, long.MinValue, long.MaxValue - 1, long.MinValue + 1)));

    public static readonly Gen<byte[]> Bytes = Gen.Frequency(
        (4, Gen.Byte.Array[0, 24]),
        (1, Gen.Byte[(byte)'0', (byte)'z'].Array[0, 12]),
        (1, Gen.Byte.Array[0, 300]));

    public static readonly Gen<BencodeValue> Scalar = Gen.Frequency(
        (1, Integer.Select(i => (BencodeValue)new BencodeInteger(i))),
        (2, Bytes.Select(b => (BencodeValue)new BencodeString(b))));

    public static readonly Gen<BencodeValue> Value = Gen.Recursive<BencodeValue>((depth, self) =>
        depth >= 4
            ? Scalar
            : Gen.Frequency(
                (3, Scalar),
                (1, self.List[0, 6].Select(items => (BencodeValue)new BencodeList(items))),
                (1, Dictionary(self))));

    public static Gen<BencodeValue> Dictionary(Gen<BencodeValue> values) =>
        Gen.Select(Gen.Byte.Array[0, 6], values).List[0, 6].Select(entries =>
        {
            var unique = new Dictionary<string, KeyValuePair<BencodeString, BencodeValue>>();
            foreach (var (key, value) in entries)
            {
                unique.TryAdd(Convert.ToHexString(key), new(new BencodeString(key), value));
            }

            return (BencodeValue)new BencodeDictionary(unique.Values);
        });
}
