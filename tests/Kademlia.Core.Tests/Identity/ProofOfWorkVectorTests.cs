using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Kademlia.Identity;
using Kademlia.Tests.Wire;

namespace Kademlia.Tests.Identity;

/// <summary>
/// The proof-of-work vectors of docs/PROTOCOL.md ("Identities and proof-of-work"): recomputed from identity A of
/// the test vectors, and found in the document byte for byte.
/// </summary>
public class ProofOfWorkVectorTests
{
    private const ulong SmallestNonceForA = 68400;

    [Fact]
    public void The_puzzles_of_identity_A_give_the_documented_hashes_scores_and_smallest_nonce()
    {
        var values = Values();

        Assert.Equal(WireVectors.A.Id.ToString(), Convert.ToHexStringLower(values["node_id_a"]));
        Assert.Equal(0, ProofOfWork.StaticScore(WireVectors.A.Id));
        Assert.Equal(SmallestNonceForA, ProofOfWork.SolveDynamic(WireVectors.A.Id, 18));
        Assert.Equal(19, ProofOfWork.DynamicScore(WireVectors.A.Id, SmallestNonceForA));
        Assert.True(ProofOfWork.DynamicScore(WireVectors.A.Id, SmallestNonceForA - 1) < 18);
        Assert.True(ProofOfWork.Verify(WireVectors.A.Id, SmallestNonceForA, NetworkParameters.Default with { StaticDifficulty = 0 }));
        Assert.False(ProofOfWork.Verify(WireVectors.A.Id, SmallestNonceForA, NetworkParameters.Default));
    }

    [Fact]
    public void The_protocol_document_lists_every_proof_of_work_vector()
    {
        var text = File.ReadAllText(Path.Combine(SourceDirectory(), "..", "..", "..", "docs", "PROTOCOL.md"));
        foreach (var (name, bytes) in Values())
        {
            // The name line may go on with a description; the code block below it holds the hex.
            var entry = Regex.Escape($"- `{name}` ({bytes.Length} bytes):") + "[^\n]*" + Regex.Escape($"\n\n  ```\n  {Convert.ToHexStringLower(bytes)}\n");
            Assert.Matches(new Regex(entry), text);
        }

        Assert.Contains($"nonce **{SmallestNonceForA}** (`0x{SmallestNonceForA:x}`)", text, StringComparison.Ordinal);
        Assert.Contains("the network `kademlia` uses **c1 = 12,\nc2 = 18**; `kademlia-test` uses c1 = 2, c2 = 4", text, StringComparison.Ordinal);
        Assert.Equal((12, 18), (NetworkParameters.Default.StaticDifficulty, NetworkParameters.Default.DynamicDifficulty));
        Assert.Equal((2, 4), (NetworkParameters.Test.StaticDifficulty, NetworkParameters.Test.DynamicDifficulty));
    }

    /// <summary>The vectors, computed with plain SHA-256 as a stranger would, not with the code under test.</summary>
    private static Dictionary<string, byte[]> Values()
    {
        var nodeId = SHA256.HashData(WireVectors.A.PublicKey);
        var dynamicInput = new byte[40];
        nodeId.CopyTo(dynamicInput, 0);
        BinaryPrimitives.WriteUInt64BigEndian(dynamicInput.AsSpan(32), SmallestNonceForA);
        return new()
        {
            ["node_id_a"] = nodeId,
            ["static_hash_a"] = SHA256.HashData(nodeId),
            ["dynamic_input_a"] = dynamicInput,
            ["dynamic_hash_a"] = SHA256.HashData(dynamicInput),
        };
    }

    private static string SourceDirectory([CallerFilePath] string thisFile = "") => Path.GetDirectoryName(thisFile)!;
}
