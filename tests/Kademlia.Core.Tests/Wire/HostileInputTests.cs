using CsCheck;
using Kademlia.Wire;

namespace Kademlia.Tests.Wire;

/// <summary>
/// A million generated hostile inputs per run. The decoder must never throw, and whatever it accepts
/// must re-encode to exactly the bytes accepted: anything else would mean an invalid encoding slipped
/// through as some other message.
/// </summary>
public class HostileInputTests
{
    private const int Seed = 20260101;
    private const int CorpusSize = 600;
    private const int MinimumCases = 1_000_000;

    /// <summary>Values that sit on or just past a count or length limit.</summary>
    private static readonly byte[] BoundaryBytes = [0, 1, 2, 4, 6, 7, 8, 9, 19, 20, 21, 63, 64, 65, 127, 128, 129, 0x80, 0xFE, 0xFF];

    private static readonly ushort[] BoundaryLengths = [0, 1, 999, 1000, 1001, 1246, 1247, 0x7FFF, 0xFFFF];

    [Fact]
    public void A_million_hostile_inputs_never_throw_and_nothing_invalid_is_accepted()
    {
        var random = new Random(Seed);
        var corpus = BuildCorpus();
        var reencoded = new byte[4096];
        var scratch = new byte[WireLimits.MaxMessageSize + 64];
        long cases = 0;
        long accepted = 0;

        void Check(ReadOnlySpan<byte> input, string what)
        {
            cases++;
            DecodeError error;
            Message? message;
            try
            {
                error = MessageCodec.TryRead(input, out message);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"Decoding threw on {what} (seed {Seed}): {Convert.ToHexString(input)}", e);
            }

            if (error != DecodeError.None)
            {
                Assert.Null(message);
                return;
            }

            accepted++;
            Assert.NotNull(message);
            if (!MessageCodec.TryWrite(reencoded, message, out var written) || !input.SequenceEqual(reencoded.AsSpan(0, written)))
            {
                Assert.Fail($"Accepted {what} does not re-encode to itself (seed {Seed}): {Convert.ToHexString(input)}");
            }
        }

        // 1. Random bytes of random lengths, half of them behind a valid message type.
        var types = Enum.GetValues<MessageType>();
        for (var i = 0; i < 200_000; i++)
        {
            var input = scratch.AsSpan(0, random.Next(0, scratch.Length + 1));
            random.NextBytes(input);
            if (input.Length > 0 && (i & 1) == 0)
            {
                input[0] = (byte)types[random.Next(types.Length)];
            }

            Check(input, "random bytes");
        }

        foreach (var valid in corpus)
        {
            Check(valid, "a valid encoding");

            // 2. Every truncation: encodings are prefix-free, so each one is refused as truncated.
            for (var length = 0; length < valid.Length; length++)
            {
                Assert.Equal(DecodeError.Truncated, MessageCodec.TryRead(valid.AsSpan(0, length), out _));
                Check(valid.AsSpan(0, length), "a truncation");
            }

            // 3. Trailing garbage.
            for (var extra = 1; extra <= 8; extra++)
            {
                var input = scratch.AsSpan(0, Math.Min(valid.Length + extra, scratch.Length));
                valid.CopyTo(input);
                random.NextBytes(input[valid.Length..]);
                var expected = input.Length > WireLimits.MaxMessageSize ? DecodeError.MessageTooLarge : DecodeError.TrailingBytes;
                Assert.Equal(expected, MessageCodec.TryRead(input, out _));
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
        // Bit flips inside values, keys and signatures are still valid messages; the suite must see some.
        Assert.InRange(accepted, 1_000, cases);
    }

    private static string Mutate(Random random, ref Span<byte> input, byte[] scratch)
    {
        switch (random.Next(7))
        {
            case 0:
                {
                    var bit = random.Next(input.Length * 8);
                    input[bit >> 3] ^= (byte)(1 << (bit & 7));
                    return "a single bit flip";
                }

            case 1:
                {
                    var flips = random.Next(2, 9);
                    for (var i = 0; i < flips; i++)
                    {
                        var bit = random.Next(input.Length * 8);
                        input[bit >> 3] ^= (byte)(1 << (bit & 7));
                    }

                    return "a multi bit flip";
                }

            case 2:
                input[random.Next(input.Length)] = BoundaryBytes[random.Next(BoundaryBytes.Length)];
                return "a boundary byte (count or length)";

            case 3:
                if (input.Length >= 2)
                {
                    var at = random.Next(input.Length - 1);
                    var length = BoundaryLengths[random.Next(BoundaryLengths.Length)];
                    input[at] = (byte)(length >> 8);
                    input[at + 1] = (byte)length;
                }

                return "a boundary 16-bit length";

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
                    scratch[at] = (byte)random.Next(256);
                    input = scratch.AsSpan(0, input.Length + 1);
                    return "an inserted byte";
                }

            case 5:
                {
                    // After a byte that could be an IPv6 family, write an IPv4-mapped address: the one
                    // alternative encoding of an endpoint, which the decoder must refuse.
                    var family = input.IndexOf((byte)6);
                    if (family >= 0 && input.Length - family > 16)
                    {
                        var address = input.Slice(family + 1, 16);
                        address[..10].Clear();
                        address[10] = 0xFF;
                        address[11] = 0xFF;
                        random.NextBytes(address[12..]);
                    }

                    return "an IPv4-mapped IPv6 address";
                }

            default:
                {
                    // Overwrite a random run with random bytes.
                    var at = random.Next(input.Length);
                    random.NextBytes(input.Slice(at, Math.Min(input.Length - at, random.Next(1, 17))));
                    return "a random run";
                }
        }
    }

    private static List<byte[]> BuildCorpus()
    {
        var pcg = new PCG(1, Seed);
        var corpus = new List<byte[]>(CorpusSize);
        foreach (var (_, message) in WireVectors.Messages())
        {
            corpus.Add(MessageCodec.Encode(message));
        }

        while (corpus.Count < CorpusSize)
        {
            corpus.Add(MessageCodec.Encode(WireGen.Any.Generate(pcg, null, out _)));
        }

        return corpus;
    }
}
