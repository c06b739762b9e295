using System.Buffers.Binary;
using System.Net;
using System.Text;
using Kademlia.Sessions;
using Kademlia.Sessions.Noise;

namespace Kademlia.Tests.Sessions;

/// <summary>
/// Small-order Curve25519 points in handshakes. X25519 with such a point gives all zeros whatever the private key
/// (the clamped scalar is a multiple of 8), so a peer sending one would make both ends derive keys from nothing
/// secret. libsodium refuses the all-zero result; the session layer must drop the packet, count it as
/// <see cref="SessionDropReason.LowOrderKey"/>, send nothing and keep no state for it (docs/PROTOCOL.md, "Receiving").
/// </summary>
public class LowOrderKeyTests
{
    private const uint NetworkId = 7;

    private static readonly DateTimeOffset Now = SessionPair.Start;

    /// <summary>
    /// The u-coordinates (little-endian) of small-order points, as libsodium's blacklist lists them; X25519 ignores
    /// bit 255, so the same values with it set are small too. The first test checks that each one is.
    /// </summary>
    public static TheoryData<string> SmallOrderPoints => new()
    {
        "0000000000000000000000000000000000000000000000000000000000000000", // u = 0
        "0100000000000000000000000000000000000000000000000000000000000000", // u = 1
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", // a point of order 8
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157", // the other point of order 8
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // u = p - 1
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // u = p, non-canonical 0
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // u = p + 1, non-canonical 1
        "0000000000000000000000000000000000000000000000000000000000000080", // u = 0 with bit 255 set
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880", // the first point of order 8 with bit 255 set
    };

    [Theory]
    [MemberData(nameof(SmallOrderPoints))]
    public void Every_listed_point_gives_an_all_zero_X25519_result_that_libsodium_refuses(string point)
    {
        using var key = Dh25519.GenerateKey(new SeededRandomSource(17));
        var shared = new byte[Dh25519.KeySize];
        Assert.False(Dh25519.TryAgree(key, Convert.FromHexString(point), shared));

        // The same key agrees with an honest point, so the refusal is about the point.
        using var honest = Dh25519.GenerateKey(new SeededRandomSource(99));
        Assert.True(Dh25519.TryAgree(key, honest.PublicKey, shared));
    }

    [Theory]
    [MemberData(nameof(SmallOrderPoints))]
    public void An_XX_message_1_with_a_small_order_ephemeral_gets_no_reply_leaves_no_handshake_and_is_counted_as_LowOrderKey(string point)
    {
        using var responder = new SessionTestNode(3, "10.0.0.2:4000");
        var message1 = new byte[PacketFormat.XxMessage1MinSize];
        PacketFormat.WriteHeader(message1, PacketType.XxMessage1, NetworkId);
        BinaryPrimitives.WriteUInt32LittleEndian(message1.AsSpan(PacketFormat.HeaderSize), 0x01020304);
        Convert.FromHexString(point).CopyTo(message1, PacketFormat.HeaderSize + PacketFormat.IndexSize);

        var sent = responder.Receive(Now, IPEndPoint.Parse("10.0.0.1:4000"), message1);

        Assert.Empty(sent);
        Assert.Equal(SessionDropReason.LowOrderKey, Assert.Single(responder.Drops));
        Assert.Equal(0, responder.Manager.PendingHandshakeCount);
        Assert.Null(responder.Manager.NextTimeout());
    }

    [Theory]
    [MemberData(nameof(SmallOrderPoints))]
    public void An_IK_initiation_with_a_small_order_ephemeral_gets_no_reply_leaves_no_handshake_and_is_counted_as_LowOrderKey(string point)
    {
        using var pair = new SessionPair();
        var initiation = pair.A.InitiateIk(Now, pair.B, "hello");
        Convert.FromHexString(point).CopyTo(initiation, PacketFormat.InitiationNoiseOffset);
        ResealMac1(initiation, pair.B);

        var sent = pair.B.Receive(Now, pair.A.EndPoint, initiation);

        Assert.Empty(sent);
        Assert.Empty(pair.B.Delivered);
        Assert.Equal(SessionDropReason.LowOrderKey, Assert.Single(pair.B.Drops));
        Assert.Equal(0, pair.B.Manager.PendingHandshakeCount);
        Assert.Equal(0, pair.B.Manager.PeerCount);
        Assert.Null(pair.B.Manager.NextTimeout());
    }

    [Theory]
    [MemberData(nameof(SmallOrderPoints))]
    public void An_IK_initiation_whose_authenticated_static_key_is_of_small_order_is_dropped_as_LowOrderKey(string point)
    {
        using var responder = new SessionTestNode(3, "10.0.0.2:4000");

        // An attacker runs "-> e, es, s" honestly up to the encrypted static, which it sets to a small-order
        // point; the responder fails at "ss", before the payload, so what follows is never read.
        using var ephemeral = Dh25519.GenerateKey(new SeededRandomSource(5));
        using var symmetric = new SymmetricState(Encoding.ASCII.GetBytes("Noise_IK_25519_ChaChaPoly_SHA256"));
        var prologue = new byte[PacketFormat.PrologueSize];
        PacketFormat.WritePrologue(prologue, NetworkId);
        symmetric.MixHash(prologue);
        symmetric.MixHash(responder.Identity.StaticPublicKey);

        var initiation = new byte[PacketFormat.InitiationMinSize];
        PacketFormat.WriteHeader(initiation, PacketType.IkInitiation, NetworkId);
        BinaryPrimitives.WriteUInt32LittleEndian(initiation.AsSpan(PacketFormat.HeaderSize), 0x01020304);
        ephemeral.PublicKey.CopyTo(initiation.AsSpan(PacketFormat.InitiationNoiseOffset));
        symmetric.MixHash(ephemeral.PublicKey);
        var shared = new byte[Dh25519.KeySize];
        Assert.True(Dh25519.TryAgree(ephemeral, responder.Identity.StaticPublicKey, shared));
        symmetric.MixKey(shared);
        Assert.True(symmetric.TryEncryptAndHash(Convert.FromHexString(point), initiation.AsSpan(PacketFormat.InitiationNoiseOffset + PacketFormat.KeySize), out _));
        ResealMac1(initiation, responder);

        var sent = responder.Receive(Now, IPEndPoint.Parse("10.0.0.1:4000"), initiation);

        Assert.Empty(sent);
        Assert.Equal(SessionDropReason.LowOrderKey, Assert.Single(responder.Drops));
        Assert.Equal(0, responder.Manager.PendingHandshakeCount);
        Assert.Equal(0, responder.Manager.PeerCount);
    }

    [Theory]
    [MemberData(nameof(SmallOrderPoints))]
    public void An_IK_response_with_a_small_order_ephemeral_is_dropped_as_LowOrderKey_and_the_genuine_response_still_completes(string point)
    {
        using var pair = new SessionPair();
        pair.Send(pair.A, pair.A.InitiateIk(Now, pair.B, "hello"));
        pair.Deliver(0);
        var genuine = pair.InFlight[0].Packet;
        var forged = (byte[])genuine.Clone();
        Convert.FromHexString(point).CopyTo(forged, PacketFormat.ResponseNoiseOffset);
        ResealMac1(forged, pair.A);

        Assert.Empty(pair.A.Receive(Now, pair.B.EndPoint, forged));
        Assert.Equal(SessionDropReason.LowOrderKey, Assert.Single(pair.A.Drops));
        Assert.Empty(pair.A.Delivered);

        // Anyone can send a message 2 to a known index: the forgery must not kill the genuine handshake.
        pair.Flush();
        Assert.Equal("answer:hello", Assert.Single(pair.A.Delivered).Text);
    }

    [Theory]
    [MemberData(nameof(SmallOrderPoints))]
    public void An_XX_message_2_with_a_small_order_ephemeral_is_dropped_as_LowOrderKey_and_the_genuine_one_still_completes(string point)
    {
        using var pair = new SessionPair();
        pair.Send(pair.A, pair.A.InitiateXx(Now, pair.B, "bootstrap"));
        pair.Deliver(0);
        var forged = (byte[])pair.InFlight[0].Packet.Clone();
        Convert.FromHexString(point).CopyTo(forged, PacketFormat.HeaderSize + (2 * PacketFormat.IndexSize));

        Assert.Empty(pair.A.Receive(Now, pair.B.EndPoint, forged));
        Assert.Equal(SessionDropReason.LowOrderKey, Assert.Single(pair.A.Drops));
        Assert.False(pair.A.Manager.HasSession(pair.B.Key, Now));

        pair.Flush();
        Assert.Equal("bootstrap", Assert.Single(pair.B.Delivered).Text);
    }

    [Theory]
    [MemberData(nameof(SmallOrderPoints))]
    public void An_XX_message_3_whose_static_key_is_of_small_order_is_dropped_as_LowOrderKey_and_creates_no_session(string point)
    {
        using var responder = new SessionTestNode(3, "10.0.0.2:4000");
        var from = IPEndPoint.Parse("10.0.0.1:4000");

        // An attacker runs XX by hand up to "-> s", which it sets to a small-order point; the responder
        // fails at "se", before the payload.
        using var ephemeral = Dh25519.GenerateKey(new SeededRandomSource(5));
        using var symmetric = new SymmetricState(Encoding.ASCII.GetBytes("Noise_XX_25519_ChaChaPoly_SHA256"));
        var prologue = new byte[PacketFormat.PrologueSize];
        PacketFormat.WritePrologue(prologue, NetworkId);
        symmetric.MixHash(prologue);

        var message1 = new byte[PacketFormat.XxMessage1MinSize];
        PacketFormat.WriteHeader(message1, PacketType.XxMessage1, NetworkId);
        BinaryPrimitives.WriteUInt32LittleEndian(message1.AsSpan(PacketFormat.HeaderSize), 0x01020304);
        ephemeral.PublicKey.CopyTo(message1.AsSpan(PacketFormat.HeaderSize + PacketFormat.IndexSize));
        symmetric.MixHash(ephemeral.PublicKey);
        Assert.True(symmetric.TryEncryptAndHash([], [], out _));

        var message2 = Assert.Single(responder.Receive(Now, from, message1)).Packet;
        Assert.Equal(PacketFormat.XxMessage2Size, message2.Length);
        var remoteEphemeral = message2.AsSpan(PacketFormat.HeaderSize + (2 * PacketFormat.IndexSize), PacketFormat.KeySize);
        symmetric.MixHash(remoteEphemeral);
        var shared = new byte[Dh25519.KeySize];
        Assert.True(Dh25519.TryAgree(ephemeral, remoteEphemeral, shared));
        symmetric.MixKey(shared);
        var remoteStatic = new byte[PacketFormat.KeySize];
        Assert.True(symmetric.TryDecryptAndHash(message2.AsSpan(46, 48), remoteStatic, out _));
        Assert.True(Dh25519.TryAgree(ephemeral, remoteStatic, shared));
        symmetric.MixKey(shared);
        Assert.True(symmetric.TryDecryptAndHash(message2.AsSpan(94), new byte[64], out _));

        var message3 = new byte[PacketFormat.XxMessage3Overhead];
        PacketFormat.WriteHeader(message3, PacketType.XxMessage3, NetworkId);
        message2.AsSpan(PacketFormat.HeaderSize, PacketFormat.IndexSize).CopyTo(message3.AsSpan(PacketFormat.HeaderSize));
        Assert.True(symmetric.TryEncryptAndHash(Convert.FromHexString(point), message3.AsSpan(PacketFormat.HeaderSize + PacketFormat.IndexSize), out _));

        var sent = responder.Receive(Now, from, message3);

        Assert.Empty(sent);
        Assert.Equal(SessionDropReason.LowOrderKey, Assert.Single(responder.Drops));
        Assert.Empty(responder.Delivered);
        Assert.Equal(0, responder.Manager.SessionCount);
    }

    /// <summary>mac1 is keyed by the recipient's public key, which anyone knows: a forger recomputes it.</summary>
    private static void ResealMac1(byte[] packet, SessionTestNode recipient)
    {
        var mac1Key = new byte[32];
        Mac.DeriveKey("mac1", recipient.Identity.StaticPublicKey, mac1Key);
        int mac1Offset = packet.Length - (2 * Mac.Size);
        Mac.Compute(mac1Key, packet.AsSpan(0, mac1Offset), packet.AsSpan(mac1Offset));
    }
}
