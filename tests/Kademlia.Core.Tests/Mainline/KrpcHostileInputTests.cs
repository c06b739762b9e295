using System.Text;
using CsCheck;
using Kademlia.Mainline;

namespace Kademlia.Tests.Mainline;

/// <summary>
/// A quarter of a million mutated KRPC messages (on top of the million bencode cases): past the bencode layer the
/// typed reader must not throw either, and whatever it accepts must write a message that reads back to the
/// same bytes.
/// </summary>
public class KrpcHostileInputTests
{
    private const int Seed = 20261203;
    private const int CorpusSize = 400;
    private const int Cases = 250_000;

    [Fact]
    public void Mutated_krpc_messages_never_throw_and_what_is_accepted_rewrites_stably()
    {
        var random = new Random(Seed);
        var corpus = BuildCorpus();
        var scratch = new byte[4096];
        long accepted = 0;
        for (var i = 0; i < Cases; i++)
        {
            var valid = corpus[random.Next(corpus.Count)];
            var input = scratch.AsSpan(0, valid.Length);
            valid.CopyTo(input);
            var what = BencodeHostileInputTests.Mutate(random, ref input, scratch);

            KrpcDecodeError error;
            KrpcMessage? message;
            try
            {
                error = KrpcCodec.TryRead(input, out message, out _);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"Reading threw on {what} (seed {Seed}): {Convert.ToHexString(input)}", e);
            }

            if (error != KrpcDecodeError.None)
            {
                Assert.Null(message);
                continue;
            }

            accepted++;
            var written = KrpcCodec.Encode(message!);
            if (KrpcCodec.TryRead(written, out var again) != KrpcDecodeError.None || !written.AsSpan().SequenceEqual(KrpcCodec.Encode(again!)))
            {
                Assert.Fail($"Accepted {what} does not rewrite stably (seed {Seed}): {Convert.ToHexString(input)}");
            }
        }

        Assert.InRange(accepted, 1_000, Cases);
    }

    private static List<byte[]> BuildCorpus()
    {
        var pcg = new PCG(1, Seed);
        var corpus = BencodeHostileInputTests.KrpcExamples().Select(Encoding.Latin1.GetBytes).ToList();
        while (corpus.Count < CorpusSize)
        {
            var encoded = KrpcCodec.Encode(KrpcGen.Message.Generate(pcg, null, out _));
            if (encoded.Length <= 1024)
            {
                corpus.Add(encoded);
            }
        }

        return corpus;
    }
}
