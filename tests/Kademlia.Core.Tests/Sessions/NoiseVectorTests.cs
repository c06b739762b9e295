using System.Text.Json;
using Kademlia.Sessions.Noise;

namespace Kademlia.Tests.Sessions;

public class NoiseVectorTests
{
    public static TheoryData<string> VectorFiles => new()
    {
        "noise-ik-25519-chachapoly-sha256.json",
        "noise-xx-25519-chachapoly-sha256.json",
    };

    [Theory]
    [MemberData(nameof(VectorFiles))]
    public void Vector_files_keep_their_source_attribution(string file)
    {
        using var document = Load(file);
        Assert.Contains("public domain", document.RootElement.GetProperty("source").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(VectorFiles))]
    public void Every_handshake_and_transport_ciphertext_matches_the_published_vector(string file)
    {
        using var document = Load(file);
        foreach (var vector in document.RootElement.GetProperty("vectors").EnumerateArray())
        {
            var pattern = vector.GetProperty("protocol_name").GetString()!.Contains("_IK_", StringComparison.Ordinal) ? HandshakePattern.IK : HandshakePattern.XX;
            using var initiatorStatic = Dh25519.ImportPrivateKey(Hex(vector, "init_static"));
            using var responderStatic = Dh25519.ImportPrivateKey(Hex(vector, "resp_static"));
            using var initiator = new HandshakeState(
                pattern, true, Hex(vector, "init_prologue"), initiatorStatic, Dh25519.ImportPrivateKey(Hex(vector, "init_ephemeral")),
                pattern == HandshakePattern.IK ? Hex(vector, "init_remote_static") : default);
            using var responder = new HandshakeState(
                pattern, false, Hex(vector, "resp_prologue"), responderStatic, Dh25519.ImportPrivateKey(Hex(vector, "resp_ephemeral")));

            CipherState? initiatorSend = null, initiatorReceive = null, responderSend = null, responderReceive = null;
            int index = 0;
            foreach (var message in vector.GetProperty("messages").EnumerateArray())
            {
                var payload = Convert.FromHexString(message.GetProperty("payload").GetString()!);
                var expected = Convert.FromHexString(message.GetProperty("ciphertext").GetString()!);
                bool initiatorSends = index % 2 == 0;
                var buffer = new byte[1024];
                var decrypted = new byte[1024];

                if (!initiator.IsCompleted)
                {
                    var (writer, reader) = initiatorSends ? (initiator, responder) : (responder, initiator);
                    Assert.Equal(expected.Length, writer.GetNextMessageSize(payload.Length));
                    Assert.True(writer.TryWriteMessage(payload, buffer, out int written));
                    Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(buffer, 0, written));
                    Assert.True(reader.TryReadMessage(expected, decrypted, out int read));
                    Assert.Equal(payload, decrypted[..read]);

                    if (initiator.IsCompleted)
                    {
                        Assert.True(responder.IsCompleted);
                        var hash = Hex(vector, "handshake_hash");
                        Assert.Equal(hash, initiator.HandshakeHash.ToArray());
                        Assert.Equal(hash, responder.HandshakeHash.ToArray());
                        (initiatorSend, initiatorReceive) = initiator.Split();
                        (responderSend, responderReceive) = responder.Split();
                    }
                }
                else
                {
                    var (send, receive) = initiatorSends ? (initiatorSend!, responderReceive!) : (responderSend!, initiatorReceive!);
                    Assert.True(send.TryEncryptWithAd(default, payload, buffer, out int written));
                    Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(buffer, 0, written));
                    Assert.True(receive.TryDecryptWithAd(default, expected, decrypted, out int read));
                    Assert.Equal(payload, decrypted[..read]);
                }

                index++;
            }

            Assert.NotNull(initiatorSend);
            foreach (var state in new[] { initiatorSend, initiatorReceive, responderSend, responderReceive })
            {
                state?.Dispose();
            }
        }
    }

    [Fact]
    public void A_tampered_handshake_message_is_rejected_without_harming_the_genuine_one()
    {
        using var document = Load("noise-ik-25519-chachapoly-sha256.json");
        var vector = document.RootElement.GetProperty("vectors")[0];
        using var responderStatic = Dh25519.ImportPrivateKey(Hex(vector, "resp_static"));
        using var responder = new HandshakeState(
            HandshakePattern.IK, false, Hex(vector, "resp_prologue"), responderStatic, Dh25519.ImportPrivateKey(Hex(vector, "resp_ephemeral")));
        var message = Convert.FromHexString(vector.GetProperty("messages")[0].GetProperty("ciphertext").GetString()!);
        message[^1] ^= 1;
        var payload = new byte[256];

        Assert.False(responder.TryReadMessage(message, payload, out _));
        message[^1] ^= 1;
        Assert.True(responder.TryReadMessage(message, payload, out int length));
        Assert.Equal(vector.GetProperty("messages")[0].GetProperty("payload").GetString(), Convert.ToHexStringLower(payload, 0, length));
    }

    [Fact]
    public void A_different_prologue_fails_the_first_authenticated_message()
    {
        using var document = Load("noise-ik-25519-chachapoly-sha256.json");
        var vector = document.RootElement.GetProperty("vectors")[0];
        using var responderStatic = Dh25519.ImportPrivateKey(Hex(vector, "resp_static"));
        using var responder = new HandshakeState(
            HandshakePattern.IK, false, "other"u8, responderStatic, Dh25519.ImportPrivateKey(Hex(vector, "resp_ephemeral")));
        var message = Convert.FromHexString(vector.GetProperty("messages")[0].GetProperty("ciphertext").GetString()!);

        Assert.False(responder.TryReadMessage(message, new byte[256], out _));
    }

    internal static JsonDocument Load(string file) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vectors", file)));

    private static byte[] Hex(JsonElement vector, string name) => Convert.FromHexString(vector.GetProperty(name).GetString()!);
}
