using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kademlia.Wire;

namespace Kademlia.Tests.Wire;

/// <summary>
/// The published vectors, checked byte for byte both ways. Set KAD_WRITE_VECTORS=1 to rewrite the
/// JSON from the code after a deliberate format change (then update docs/PROTOCOL.md to match).
/// </summary>
public class WireVectorTests
{
    private static string VectorPath => Path.Combine(AppContext.BaseDirectory, "Vectors", "wire-messages.json");

    private static JsonObject Load() => JsonNode.Parse(File.ReadAllText(VectorPath))!.AsObject();

    [Fact]
    public void Every_message_encodes_to_its_vector_and_every_vector_decodes_to_its_message()
    {
        WriteIfAsked();
        var vectors = Load()["messages"]!.AsObject();
        var messages = WireVectors.Messages().ToList();
        Assert.Equal(messages.Select(m => m.Name).Order(), vectors.Select(v => v.Key).Order());
        foreach (var (name, message) in messages)
        {
            var hex = vectors[name]!.GetValue<string>();
            Assert.True(hex == Convert.ToHexStringLower(MessageCodec.Encode(message)), $"{name} encodes differently");
            Assert.Equal(DecodeError.None, MessageCodec.TryRead(Convert.FromHexString(hex), out var decoded));
            Assert.Equal(message, decoded);
        }
    }

    [Fact]
    public void Record_keys_signed_bytes_and_signatures_match_their_vectors()
    {
        var vectors = Load()["records"]!.AsObject();
        var values = WireVectors.RecordValues().ToList();
        Assert.Equal(values.Select(m => m.Name).Order(), vectors.Select(v => v.Key).Order());
        foreach (var (name, bytes) in values)
        {
            Assert.True(vectors[name]!.GetValue<string>() == Convert.ToHexStringLower(bytes), $"{name} differs");
        }
    }

    [Fact]
    public void The_vector_keys_are_the_rfc_8032_public_keys()
    {
        // RFC 8032 section 7.1, TEST 1 and TEST 2: the seeds give these public keys.
        Assert.Equal("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", Convert.ToHexStringLower(WireVectors.A.PublicKey));
        Assert.Equal("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", Convert.ToHexStringLower(WireVectors.B.PublicKey));
    }

    [Fact]
    public void The_protocol_document_lists_every_vector_as_in_the_json()
    {
        var document = Path.Combine(SourceDirectory(), "..", "..", "..", "docs", "PROTOCOL.md");
        Assert.True(File.Exists(document), $"{document} not found");
        var text = File.ReadAllText(document);
        var root = Load();
        foreach (var section in new[] { "records", "messages" })
        {
            foreach (var (name, hex) in root[section]!.AsObject())
            {
                Assert.Contains($"- `{name}` ({hex!.GetValue<string>().Length / 2} bytes):\n\n  ```\n  {hex.GetValue<string>()}\n", text, StringComparison.Ordinal);
            }
        }
    }

    private static string SourceDirectory([CallerFilePath] string thisFile = "") => Path.GetDirectoryName(thisFile)!;

    private static void WriteIfAsked([CallerFilePath] string thisFile = "")
    {
        if (Environment.GetEnvironmentVariable("KAD_WRITE_VECTORS") != "1")
        {
            return;
        }

        var messages = new JsonObject();
        foreach (var (name, message) in WireVectors.Messages())
        {
            messages[name] = Convert.ToHexStringLower(MessageCodec.Encode(message));
        }

        var records = new JsonObject();
        foreach (var (name, bytes) in WireVectors.RecordValues())
        {
            records[name] = Convert.ToHexStringLower(bytes);
        }

        var root = new JsonObject
        {
            ["description"] = "Kademlia wire test vectors: lowercase hex of each encoded message and record value. Inputs are listed under inputs and in the Test vectors section of docs/PROTOCOL.md.",
            ["inputs"] = new JsonObject
            {
                ["seed_a"] = WireVectors.SeedA,
                ["pow_nonce_a"] = WireVectors.NonceA.ToString("x16", null),
                ["endpoint_a"] = WireVectors.EndpointA.ToString(),
                ["seed_b"] = WireVectors.SeedB,
                ["pow_nonce_b"] = WireVectors.NonceB.ToString("x16", null),
                ["endpoint_b"] = WireVectors.EndpointB.ToString(),
                ["observed_endpoint"] = WireVectors.Observed.ToString(),
                ["request_id"] = WireVectors.RequestId.ToString("x16", null),
                ["published_at"] = WireVectors.PublishedAt,
            },
            ["records"] = records,
            ["messages"] = messages,
        };
        var text = root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        var source = Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "Vectors", "wire-messages.json");
        File.WriteAllText(source, text);
        File.WriteAllText(VectorPath, text);
    }
}
