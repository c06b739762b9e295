using System.Text;
using CsCheck;
using Kademlia.Mainline;

namespace Kademlia.Tests.Mainline;

/// <summary>
/// A million generated hostile inputs per run for the bencode reader, shaped like the native codec's
/// <c>HostileInputTests</c>: random bytes, every truncation and trailing garbage of valid encodings, then
/// mutations of valid encodings aimed at bencode's own weak spots (digits, signs, terminators, key order).
/// The reader must never throw, and whatever it accepts must re-encode to exactly the bytes accepted.
/// </summary>
public class BencodeHostileInputTests
{
    private const int Seed = 20261202;
    private const int CorpusSize = 500;
    private const int MinimumCases = 1_000_000;

    private static readonly byte[] Alphabet = "ilde0123456789:-"u8.ToArray();

    [Fact]
    public void A_million_hostile_inputs_never_throw_and_nothing_non_canonical_is_accepted()
    {
        var random = new Random(Seed);
        var corpus = BuildCorpus();
        var scratch = new byte[4096];
        long cases = 0;
        long accepted = 0;

        void Check(ReadOnlySpan<byte> input, string what)
        {
            cases++;
            BencodeError error;
            BencodeValue? value;
            try
            {
                error = BencodeReader.TryRead(input, out value);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"Reading threw on {what} (seed {Seed}): {Convert.ToHexString(input)}", e);
            }

            if (error != BencodeError.None)
            {
                Assert.Null(value);
                return;
            }

            accepted++;
            if (!input.SequenceEqual(BencodeWriter.Encode(value!)))
            {
                Assert.Fail($"Accepted {what} does not re-encode to itself (seed {Seed}): {Convert.ToHexString(input)}");
            }
        }

        // 1. Random bytes, half of them drawn from bencode's own alphabet so that they get past the first byte.
        for (var i = 0; i < 200_000; i++)
        {
            var input = scratch.AsSpan(0, random.Next(0, 64));
            if ((i & 1) == 0)
            {
                random.NextBytes(input);
            }
            else
            {
                for (var j = 0; j < input.Length; j++)
                {
                    input[j] = Alphabet[random.Next(Alphabet.Length)];
                }
            }

            Check(input, "random bytes");
        }

        foreach (var valid in corpus)
        {
            Check(valid, "a valid encoding");

            // 2. Every truncation: bencode is prefix-free, so each one is refused as truncated.
            for (var length = 0; length < valid.Length; length++)
            {
                Assert.Equal(BencodeError.Truncated, BencodeReader.TryRead(valid.AsSpan(0, length), out _));
                Check(valid.AsSpan(0, length), "a truncation");
            }

            // 3. Trailing garbage.
            for (var extra = 1; extra <= 4; extra++)
            {
                var input = scratch.AsSpan(0, valid.Length + extra);
                valid.CopyTo(input);
                random.NextBytes(input[valid.Length..]);
                Assert.Equal(BencodeError.TrailingBytes, BencodeReader.TryRead(input, out _));
                Check(input, "trailing garbage");
            }
        }

        // 4. Mutations of valid encodings until the budget is spent.
        while (cases < MinimumCases)
        {
            var valid = corpus[random.Next(corpus.Count)];
            var input = scratch.AsSpan(0, valid.Length);
            valid.CopyTo(input);
            var what = Mutate(random, ref input, scratch);
            Check(input, what);
        }

        Assert.True(cases >= MinimumCases, $"only {cases} cases");
        // Mutations inside string contents stay valid; the run must see some accepted inputs.
        Assert.InRange(accepted, 1_000, cases);
    }

    internal static string Mutate(Random random, ref Span<byte> input, byte[] scratch)
    {
        if (input.Length == 0)
        {
            return "an empty input";
        }

        switch (random.Next(8))
        {
            case 0:
                {
                    var bit = random.Next(input.Length * 8);
                    input[bit >> 3] ^= (byte)(1 << (bit & 7));
                    return "a single bit flip";
                }

            case 1:
                input[random.Next(input.Length)] = Alphabet[random.Next(Alphabet.Length)];
                return "a structural byte";

            case 2:
                {
                    // Change one digit of a length or integer: claims more or fewer bytes than follow.
                    var at = FindDigit(random, input);
                    if (at >= 0)
                    {
                        input[at] = (byte)('0' + random.Next(10));
                    }

                    return "a changed digit";
                }

            case 3:
                {
                    // A zero before a number or a minus sign after an 'i': the non-canonical spellings.
                    var at = FindDigit(random, input);
                    if (at < 0 || input.Length == scratch.Length)
                    {
                        return "no digit to pad";
                    }

                    scratch.AsSpan(at, input.Length - at).CopyTo(scratch.AsSpan(at + 1));
                    scratch[at] = random.Next(2) == 0 ? (byte)'0' : (byte)'-';
                    input = scratch.AsSpan(0, input.Length + 1);
                    return "a leading zero or sign";
                }

            case 4:
                {
                    // Delete or insert one byte somewhere: shifts every later field.
                    var at = random.Next(input.Length);
                    if (random.Next(2) == 0 || input.Length == scratch.Length)
                    {
                        scratch.AsSpan(at + 1, input.Length - at - 1).CopyTo(scratch.AsSpan(at));
                        input = scratch.AsSpan(0, input.Length - 1);
                        return "a deleted byte";
                    }

                    scratch.AsSpan(at, input.Length - at).CopyTo(scratch.AsSpan(at + 1));
                    scratch[at] = random.Next(2) == 0 ? Alphabet[random.Next(Alphabet.Length)] : (byte)random.Next(256);
                    input = scratch.AsSpan(0, input.Length + 1);
                    return "an inserted byte";
                }

            case 5:
                {
                    // Swap two equal-length runs: reorders keys or items.
                    var length = random.Next(1, Math.Max(2, input.Length / 4));
                    if (input.Length < 2 * length)
                    {
                        return "too short to swap";
                    }

                    var a = random.Next(input.Length - (2 * length) + 1);
                    var b = random.Next(a + length, input.Length - length + 1);
                    Span<byte> temp = stackalloc byte[length];
                    input.Slice(a, length).CopyTo(temp);
                    input.Slice(b, length).CopyTo(input.Slice(a, length));
                    temp.CopyTo(input.Slice(b, length));
                    return "two swapped runs";
                }

            case 6:
                {
                    // Duplicate a run in place: repeats a key or an item, or nests deeper.
                    var at = random.Next(input.Length);
                    var length = Math.Min(random.Next(1, 32), input.Length - at);
                    if (input.Length + length > scratch.Length)
                    {
                        return "too long to duplicate";
                    }

                    scratch.AsSpan(at, input.Length - at).CopyTo(scratch.AsSpan(at + length));
                    input = scratch.AsSpan(0, input.Length + length);
                    return "a duplicated run";
                }

            default:
                {
                    var at = random.Next(input.Length);
                    random.NextBytes(input.Slice(at, Math.Min(input.Length - at, random.Next(1, 9))));
                    return "a random run";
                }
        }
    }

    private static int FindDigit(Random random, ReadOnlySpan<byte> input)
    {
        var start = random.Next(input.Length);
        for (var i = 0; i < input.Length; i++)
        {
            var at = (start + i) % input.Length;
            if ((uint)(input[at] - '0') <= 9)
            {
                return at;
            }
        }

        return -1;
    }

    private static List<byte[]> BuildCorpus()
    {
        var pcg = new PCG(1, Seed);
        var corpus = new List<byte[]>(CorpusSize);
        foreach (var vector in KrpcExamples())
        {
            corpus.Add(Encoding.Latin1.GetBytes(vector));
        }

        while (corpus.Count < CorpusSize)
        {
            var value = BencodeGen.Value.Generate(pcg, null, out _);
            var encoded = BencodeWriter.Encode(value);
            if (encoded.Length <= 1024)
            {
                corpus.Add(encoded);
            }
        }

        return corpus;
    }

    /// <summary>The example messages of BEP 5, as bencoded there.</summary>
    internal static IEnumerable<string> KrpcExamples() =>
    [
        "d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee",
        "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe",
        "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re",
        "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe",
        "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:aa1:y1:qe",
        "d1:rd2:id20:abcdefghij01234567895:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:y1:re",
        "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe",
    ];
}
