using System.Buffers.Binary;
using System.Net;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Kademlia.Sessions;
using Kademlia.Sessions.Noise;

namespace Kademlia.Tests.Sessions;

/// <summary>
/// The receiving checklist of docs/PROTOCOL.md ("Receiving"), one test per check and reason, named
/// <c>Check&lt;n&gt;_…_&lt;Reason&gt;</c>. Each asserts the drop reason, that nothing is sent back and that nothing is
/// delivered. Packets that need valid Noise cryptography around a bad payload are built by hand with
/// <see cref="HandshakeState"/>, as an attacker (or a node sharing our identity) would.
/// </summary>
public class ReceivingChecklistTests
{
    private const uint NetworkId = 7;

    private static readonly DateTimeOffset Now = SessionPair.Start;

    [Fact]
    public void Every_reason_of_the_checklist_has_a_test_named_after_its_check()
    {
        var document = File.ReadAllText(Path.Combine(SourceDirectory(), "..", "..", "..", "docs", "PROTOCOL.md"));
        var section = document[document.IndexOf("### Receiving", StringComparison.Ordinal)..document.IndexOf("### First contact vectors", StringComparison.Ordinal)];
        var tests = typeof(ReceivingChecklistTests).GetMethods(BindingFlags.Public | BindingFlags.Instance).Select(m => m.Name).ToList();
        var reasons = Enum.GetNames<SessionDropReason>().ToHashSet();
        int checks = 0, pairs = 0;
        foreach (Match check in Regex.Matches(section, @"^(\d)\. \*\*.*?(?=^\d\. |\z)", RegexOptions.Multiline | RegexOptions.Singleline))
        {
            checks++;
            string number = check.Groups[1].Value;
            foreach (var reason in Regex.Matches(check.Value, @"`(\w+)`").Select(m => m.Groups[1].Value).Where(reasons.Contains).Distinct())
            {
                pairs++;
                Assert.True(
                    tests.Any(t => t.StartsWith($"Check{number}_", StringComparison.Ordinal) && t.EndsWith($"_{reason}", StringComparison.Ordinal)),
                    $"check {number} lists {reason} but no test Check{number}_…_{reason} exists");
            }
        }

        Assert.Equal(8, checks);
        Assert.True(pairs >= 40, $"only {pairs} reasons found: the document's format changed");
    }

    // ---- 1. All packets ------------------------------------------------------------------------------------

    [Fact]
    public void Check1_a_packet_shorter_than_6_bytes_is_dropped_Truncated()
    {
        using var node = Node();
        AssertDropped(node, [1, 4, 0, 0, 0], SessionDropReason.Truncated);
    }

    [Fact]
    public void Check1_a_packet_longer_than_1280_bytes_is_dropped_TooLarge()
    {
        using var node = Node();
        var packet = new byte[1281];
        PacketFormat.WriteHeader(packet, PacketType.TransportData, NetworkId);
        AssertDropped(node, packet, SessionDropReason.TooLarge);
    }

    [Fact]
    public void Check1_a_packet_of_another_version_is_dropped_UnsupportedVersion()
    {
        using var node = Node();
        var packet = new byte[64];
        PacketFormat.WriteHeader(packet, PacketType.TransportData, NetworkId);
        packet[0] = 2;
        AssertDropped(node, packet, SessionDropReason.UnsupportedVersion);
    }

    [Fact]
    public void Check1_a_packet_of_another_network_is_dropped_WrongNetwork()
    {
        using var node = Node();
        var packet = new byte[64];
        PacketFormat.WriteHeader(packet, PacketType.TransportData, NetworkId + 1);
        AssertDropped(node, packet, SessionDropReason.WrongNetwork);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    [InlineData(255)]
    public void Check1_a_packet_of_a_type_other_than_1_to_7_is_dropped_UnknownPacketType(byte type)
    {
        using var node = Node();
        var packet = new byte[64];
        PacketFormat.WriteHeader(packet, PacketType.TransportData, NetworkId);
        packet[1] = type;
        AssertDropped(node, packet, SessionDropReason.UnknownPacketType);
    }

    // ---- 2. Transport data ---------------------------------------------------------------------------------

    [Fact]
    public void Check2_transport_data_shorter_than_34_bytes_is_dropped_Truncated()
    {
        using var pair = SessionHandshakeTests.Established();
        var packet = pair.A.Seal(pair.Now, pair.B, "");
        AssertDropped(pair.B, packet[..33], SessionDropReason.Truncated, pair.A.EndPoint);
    }

    [Fact]
    public void Check2_transport_data_whose_receiver_index_names_no_session_is_dropped_UnknownIndex()
    {
        using var pair = SessionHandshakeTests.Established();
        var packet = pair.A.Seal(pair.Now, pair.B, "x");
        packet[PacketFormat.HeaderSize] ^= 0xFF;
        AssertDropped(pair.B, packet, SessionDropReason.UnknownIndex, pair.A.EndPoint);
    }

    [Fact]
    public void Check2_transport_data_on_a_session_180_seconds_old_is_dropped_SessionExpired()
    {
        using var pair = SessionHandshakeTests.Established();
        var packet = pair.A.Seal(pair.Now, pair.B, "late");
        pair.Now += TimeSpan.FromSeconds(180);
        AssertDropped(pair.B, packet, SessionDropReason.SessionExpired, pair.A.EndPoint, pair.Now);
    }

    [Fact]
    public void Check2_transport_data_whose_counter_was_accepted_or_is_out_of_the_window_is_dropped_Replayed()
    {
        using var pair = SessionHandshakeTests.Established();
        var packets = Enumerable.Range(0, 4035).Select(i => pair.A.Seal(pair.Now, pair.B, $"m{i}")).ToList();
        pair.B.Receive(pair.Now, pair.A.EndPoint, packets[0]);
        AssertDropped(pair.B, packets[0], SessionDropReason.Replayed, pair.A.EndPoint); // accepted once, so marked
        pair.B.Receive(pair.Now, pair.A.EndPoint, packets[4034]);
        AssertDropped(pair.B, packets[1], SessionDropReason.Replayed, pair.A.EndPoint); // never seen, but G - 4033

        var beyond = pair.A.Seal(pair.Now, pair.B, "x");
        BinaryPrimitives.WriteUInt64LittleEndian(beyond.AsSpan(PacketFormat.HeaderSize + PacketFormat.IndexSize), SessionTimers.RejectAfterMessages);
        AssertDropped(pair.B, beyond, SessionDropReason.Replayed, pair.A.EndPoint);
    }

    [Fact]
    public void Check2_transport_data_whose_tag_does_not_verify_is_dropped_DecryptionFailed()
    {
        using var pair = SessionHandshakeTests.Established();
        var packet = pair.A.Seal(pair.Now, pair.B, "x");
        packet[^1] ^= 1;
        AssertDropped(pair.B, packet, SessionDropReason.DecryptionFailed, pair.A.EndPoint);
    }

    [Fact]
    public void Check2_an_authenticated_transport_packet_confirms_the_session_so_XX_is_not_restarted()
    {
        using var pair = new SessionPair();
        pair.Send(pair.A, pair.A.InitiateXx(pair.Now, pair.B, "boot"));
        pair.Flush();
        pair.Send(pair.B, pair.B.Seal(pair.Now, pair.A, "answer"));
        pair.Flush();

        pair.Tick(TimeSpan.FromSeconds(6));

        Assert.Empty(pair.InFlight); // an unconfirmed XX session would have started over after 5 s
        Assert.True(pair.A.Manager.HasSession(pair.B.Key, pair.Now));
    }

    [Fact]
    public void Check2_an_authenticated_transport_packet_on_next_promotes_it_to_current()
    {
        using var pair = new SessionPair();
        var (_, newIndex) = SessionTransportTests.Rekey(pair);

        pair.Send(pair.A, pair.A.Seal(pair.Now, pair.B, "on the new session"));
        pair.Flush();

        Assert.Equal(newIndex, BinaryPrimitives.ReadUInt32LittleEndian(pair.B.Seal(pair.Now, pair.A, "x").AsSpan(PacketFormat.HeaderSize)));
    }

    [Fact]
    public void Check2_an_authenticated_transport_packet_from_a_new_address_moves_the_peer_there()
    {
        using var pair = SessionHandshakeTests.Established();
        var roamed = IPEndPoint.Parse("203.0.113.5:7000");
        var forged = IPEndPoint.Parse("203.0.113.6:7000");

        var unauthenticated = pair.A.Seal(pair.Now, pair.B, "x");
        unauthenticated[^1] ^= 1;
        pair.B.Receive(pair.Now, forged, unauthenticated);
        Assert.Equal(pair.A.EndPoint, pair.B.Manager.SealTo(pair.Now, pair.A.Key, "y"u8, new byte[1280]).EndPoint);

        pair.B.Receive(pair.Now, roamed, pair.A.Seal(pair.Now, pair.B, "from elsewhere"));
        Assert.Equal(roamed, pair.B.Manager.SealTo(pair.Now, pair.A.Key, "z"u8, new byte[1280]).EndPoint);
    }

    [Fact]
    public void Check2_a_packet_overtaken_by_a_newer_one_from_elsewhere_does_not_move_the_peer_back()
    {
        using var pair = SessionHandshakeTests.Established();
        var relayed = IPEndPoint.Parse("[100::1]:1");
        var direct = IPEndPoint.Parse("203.0.113.5:7000");
        var older = pair.A.Seal(pair.Now, pair.B, "sent through the relay");
        var newer = pair.A.Seal(pair.Now, pair.B, "sent direct");

        pair.B.Receive(pair.Now, direct, newer);
        pair.B.Receive(pair.Now, relayed, older);

        Assert.Equal(["sent direct", "sent through the relay"], pair.B.Delivered.Select(d => d.Text).TakeLast(2));
        Assert.Equal(direct, pair.B.Manager.SealTo(pair.Now, pair.A.Key, "z"u8, new byte[1280]).EndPoint);
    }

    // ---- 3. IK initiation ----------------------------------------------------------------------------------

    [Fact]
    public void Check3_an_IK_initiation_shorter_than_192_bytes_is_dropped_Truncated()
    {
        using var pair = new SessionPair();
        var initiation = pair.A.InitiateIk(Now, pair.B, "x");
        AssertDropped(pair.B, initiation[..191], SessionDropReason.Truncated, pair.A.EndPoint);
    }

    [Fact]
    public void Check3_an_IK_initiation_for_another_key_is_dropped_before_any_DH_InvalidMac1()
    {
        using var pair = new SessionPair();
        using var stranger = new SessionTestNode(99, "10.0.0.3:4000");
        AssertDropped(pair.B, pair.A.InitiateIk(Now, stranger, "x"), SessionDropReason.InvalidMac1, pair.A.EndPoint);
    }

    [Fact]
    public void Check3_under_load_an_IK_initiation_without_mac2_gets_a_cookie_reply_and_nothing_is_kept()
    {
        using var pair = new SessionPair();
        pair.B.Manager.UnderLoad = true;
        var sent = pair.B.Receive(Now, pair.A.EndPoint, pair.A.InitiateIk(Now, pair.B, "x"));
        Assert.Equal((byte)PacketType.CookieReply, Assert.Single(sent).Packet[1]);
        Assert.Equal(0, pair.B.Manager.PendingHandshakeCount);
        Assert.Equal(0, pair.B.Manager.PeerCount);
        Assert.Empty(pair.B.Delivered);
    }

    [Fact]
    public void Check3_an_IK_initiation_whose_ephemeral_is_of_small_order_is_dropped_LowOrderKey()
    {
        using var pair = new SessionPair();
        var initiation = pair.A.InitiateIk(Now, pair.B, "x");
        initiation.AsSpan(PacketFormat.InitiationNoiseOffset, PacketFormat.KeySize).Clear();
        ResealMac1(initiation, pair.B);
        AssertDropped(pair.B, initiation, SessionDropReason.LowOrderKey, pair.A.EndPoint);
    }

    [Fact]
    public void Check3_an_IK_initiation_whose_static_does_not_decrypt_is_dropped_HandshakeFailed()
    {
        using var pair = new SessionPair();
        var initiation = pair.A.InitiateIk(Now, pair.B, "x");
        initiation[PacketFormat.InitiationNoiseOffset + PacketFormat.KeySize] ^= 1;
        ResealMac1(initiation, pair.B);
        AssertDropped(pair.B, initiation, SessionDropReason.HandshakeFailed, pair.A.EndPoint);
    }

    [Fact]
    public void Check3_an_IK_initiation_declaring_a_request_longer_than_its_payload_is_dropped_MalformedPayload()
    {
        using var pair = new SessionPair();
        var payload = IkPayload(pair.A.Key, pair.A.Identity.ProofOfWorkNonce, "abc"u8.ToArray(), declaredLength: 4);
        var initiation = CraftIkInitiation(pair.A.Identity.StaticKey, pair.B, payload);
        AssertDropped(pair.B, initiation, SessionDropReason.MalformedPayload, pair.A.EndPoint);
        Assert.Equal(0, pair.B.Manager.PendingHandshakeCount);
    }

    [Fact]
    public void Check3_an_IK_initiation_whose_Ed25519_key_is_not_its_Noise_static_is_dropped_IdentityMismatch()
    {
        using var pair = new SessionPair();
        using var other = new SessionTestNode(98, "10.0.0.4:4000");
        var payload = IkPayload(other.Key, 42, "x"u8.ToArray());
        var initiation = CraftIkInitiation(pair.A.Identity.StaticKey, pair.B, payload);
        AssertDropped(pair.B, initiation, SessionDropReason.IdentityMismatch, pair.A.EndPoint);
    }

    [Fact]
    public void Check3_an_IK_initiation_carrying_our_own_identity_is_dropped_Reflection()
    {
        // Only the holder of our private key can make it: a copy of our identity running elsewhere.
        using var pair = new SessionPair();
        var payload = IkPayload(pair.B.Key, 42, "x"u8.ToArray());
        var initiation = CraftIkInitiation(pair.B.Identity.StaticKey, pair.B, payload);
        AssertDropped(pair.B, initiation, SessionDropReason.Reflection, pair.A.EndPoint);
    }

    [Fact]
    public void Check3_an_IK_initiation_not_newer_than_the_greatest_accepted_from_its_key_is_dropped_ReplayedInitiation()
    {
        using var pair = new SessionPair();
        var initiation = pair.A.InitiateIk(Now, pair.B, "once");
        pair.B.Receive(Now, pair.A.EndPoint, initiation);
        AssertDropped(pair.B, initiation, SessionDropReason.ReplayedInitiation, pair.A.EndPoint, Now + TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Check3_an_IK_initiation_whose_identity_is_refused_leaves_no_peer_state_IdentityRefused()
    {
        var refusing = new SessionOptions { NetworkId = 7, AcceptIdentity = (_, _) => false };
        using var pair = new SessionPair(optionsB: refusing);
        AssertDropped(pair.B, pair.A.InitiateIk(Now, pair.B, "x"), SessionDropReason.IdentityRefused, pair.A.EndPoint);
        Assert.Equal(0, pair.B.Manager.PeerCount);
        Assert.Equal(0, pair.B.Manager.PendingHandshakeCount);
    }

    [Fact]
    public void Check3_an_IK_initiation_from_a_new_key_when_every_peer_is_verified_and_busy_is_dropped_PeerTableFull()
    {
        var one = new SessionOptions { NetworkId = 7, MaxPeers = 1 };
        using var pair = new SessionPair(optionsB: one);
        using var verified = new SessionTestNode(97, "10.9.0.5:4000");
        AddVerifiedPeer(pair.B, verified);
        AssertDropped(pair.B, pair.A.InitiateIk(Now, pair.B, "x"), SessionDropReason.PeerTableFull, pair.A.EndPoint);
        Assert.True(pair.B.Manager.HasPeer(verified.Key));
        Assert.Equal(0, pair.B.Manager.PendingHandshakeCount);

        // Idle for the eviction time, the verified peer gives way.
        var later = Now + one.VerifiedIdleEviction;
        Assert.Single(pair.B.Receive(later, pair.A.EndPoint, pair.A.InitiateIk(later, pair.B, "y")));
        Assert.False(pair.B.Manager.HasPeer(verified.Key));
    }

    [Fact]
    public void Check3_an_IK_initiation_from_a_new_key_of_a_prefix_over_its_rate_is_dropped_NewPeerRateLimited()
    {
        var strict = new SessionOptions { NetworkId = 7, NewPeerBurstPerPrefix = 1, NewPeersPerSecondPerPrefix = 0.01 };
        using var pair = new SessionPair(optionsB: strict);
        using var neighbour = new SessionTestNode(97, "10.0.0.9:4000");
        Assert.Single(pair.B.Receive(Now, neighbour.EndPoint, neighbour.InitiateIk(Now, pair.B, "first")));
        AssertDropped(pair.B, pair.A.InitiateIk(Now, pair.B, "x"), SessionDropReason.NewPeerRateLimited, pair.A.EndPoint);
        Assert.False(pair.B.Manager.HasPeer(pair.A.Key));

        // Another /24 has its own budget.
        Assert.Single(pair.B.Receive(Now, IPEndPoint.Parse("10.0.1.1:4000"), pair.A.InitiateIk(Now + TimeSpan.FromSeconds(1), pair.B, "y")));
    }

    [Fact]
    public void Check3_an_IK_initiation_replayed_after_its_peer_was_evicted_is_still_dropped_ReplayedInitiation()
    {
        // A peer table of one: a second peer evicts the first, whose recorded initiation must stay dead.
        var tiny = new SessionOptions { NetworkId = 7, MaxPeers = 1 };
        using var pair = new SessionPair(optionsB: tiny);
        using var other = new SessionTestNode(97, "10.0.0.5:4000");
        var recorded = pair.A.InitiateIk(Now, pair.B, "once");
        pair.B.Receive(Now, pair.A.EndPoint, recorded);
        pair.B.Receive(Now, other.EndPoint, other.InitiateIk(Now, pair.B, "evicts A"));
        Assert.False(pair.B.Manager.HasSession(pair.A.Key, Now));

        AssertDropped(pair.B, recorded, SessionDropReason.ReplayedInitiation, pair.A.EndPoint, Now + TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Check3_an_IK_initiation_crossing_ours_is_dropped_by_the_smaller_key_SimultaneousInitiation()
    {
        using var pair = new SessionPair(seed: 3);
        var (low, high) = pair.A.Key < pair.B.Key ? (pair.A, pair.B) : (pair.B, pair.A);
        low.InitiateIk(Now, high, "mine");
        AssertDropped(low, high.InitiateIk(Now, low, "theirs"), SessionDropReason.SimultaneousInitiation, high.EndPoint);
        Assert.True(low.Manager.IsHandshaking(high.Key));
    }

    // ---- 4. IK response ------------------------------------------------------------------------------------

    [Fact]
    public void Check4_an_IK_response_shorter_than_94_bytes_is_dropped_Truncated()
    {
        using var pair = new SessionPair();
        var response = Assert.Single(pair.B.Receive(Now, pair.A.EndPoint, pair.A.InitiateIk(Now, pair.B, "x"))).Packet;
        AssertDropped(pair.A, response[..93], SessionDropReason.Truncated, pair.B.EndPoint);
    }

    [Fact]
    public void Check4_an_IK_response_whose_receiver_index_names_no_handshake_is_dropped_UnknownIndex()
    {
        using var pair = new SessionPair();
        var response = Assert.Single(pair.B.Receive(Now, pair.A.EndPoint, pair.A.InitiateIk(Now, pair.B, "x"))).Packet;
        response[PacketFormat.HeaderSize + PacketFormat.IndexSize] ^= 0xFF;
        AssertDropped(pair.A, response, SessionDropReason.UnknownIndex, pair.B.EndPoint);
    }

    [Fact]
    public void Check4_an_IK_response_addressed_to_a_handshake_that_is_not_our_IK_initiation_is_dropped_UnexpectedPacket()
    {
        using var pair = new SessionPair();
        var message1 = pair.A.InitiateXx(Now, pair.B, "x");
        var response = new byte[PacketFormat.ResponseOverhead];
        PacketFormat.WriteHeader(response, PacketType.IkResponse, NetworkId);
        message1.AsSpan(PacketFormat.HeaderSize, PacketFormat.IndexSize).CopyTo(response.AsSpan(PacketFormat.HeaderSize + PacketFormat.IndexSize));
        AssertDropped(pair.A, response, SessionDropReason.UnexpectedPacket, pair.B.EndPoint);
    }

    [Fact]
    public void Check4_an_IK_response_whose_mac1_fails_is_dropped_InvalidMac1()
    {
        using var pair = new SessionPair();
        var response = Assert.Single(pair.B.Receive(Now, pair.A.EndPoint, pair.A.InitiateIk(Now, pair.B, "x"))).Packet;
        response[^20] ^= 1;
        AssertDropped(pair.A, response, SessionDropReason.InvalidMac1, pair.B.EndPoint);
        Assert.True(pair.A.Manager.IsHandshaking(pair.B.Key));
    }

    [Fact]
    public void Check4_an_IK_response_whose_ephemeral_is_of_small_order_is_dropped_LowOrderKey()
    {
        using var pair = new SessionPair();
        var response = Assert.Single(pair.B.Receive(Now, pair.A.EndPoint, pair.A.InitiateIk(Now, pair.B, "x"))).Packet;
        response.AsSpan(PacketFormat.ResponseNoiseOffset, PacketFormat.KeySize).Clear();
        ResealMac1(response, pair.A);
        AssertDropped(pair.A, response, SessionDropReason.LowOrderKey, pair.B.EndPoint);
    }

    [Fact]
    public void Check4_an_IK_response_whose_payload_does_not_decrypt_is_dropped_HandshakeFailed()
    {
        using var pair = new SessionPair();
        var response = Assert.Single(pair.B.Receive(Now, pair.A.EndPoint, pair.A.InitiateIk(Now, pair.B, "x"))).Packet;
        response[PacketFormat.ResponseNoiseOffset + PacketFormat.KeySize] ^= 1;
        ResealMac1(response, pair.A);
        AssertDropped(pair.A, response, SessionDropReason.HandshakeFailed, pair.B.EndPoint);
        Assert.True(pair.A.Manager.IsHandshaking(pair.B.Key));
    }

    // ---- 5. Cookie reply -----------------------------------------------------------------------------------

    [Fact]
    public void Check5_a_cookie_reply_shorter_than_66_bytes_is_dropped_Truncated()
    {
        using var pair = new SessionPair();
        var cookieReply = CookieReply(pair);
        AssertDropped(pair.A, cookieReply[..65], SessionDropReason.Truncated, pair.B.EndPoint);
    }

    [Fact]
    public void Check5_a_cookie_reply_longer_than_66_bytes_is_dropped_TooLarge()
    {
        using var pair = new SessionPair();
        var cookieReply = CookieReply(pair);
        AssertDropped(pair.A, [.. cookieReply, 0], SessionDropReason.TooLarge, pair.B.EndPoint);
    }

    [Fact]
    public void Check5_a_cookie_reply_whose_receiver_index_names_no_handshake_is_dropped_UnknownIndex()
    {
        using var pair = new SessionPair();
        var cookieReply = CookieReply(pair);
        cookieReply[PacketFormat.HeaderSize] ^= 0xFF;
        AssertDropped(pair.A, cookieReply, SessionDropReason.UnknownIndex, pair.B.EndPoint);
    }

    [Fact]
    public void Check5_a_second_cookie_reply_for_the_same_message_1_is_dropped_InvalidCookieReply()
    {
        using var pair = new SessionPair();
        var cookieReply = CookieReply(pair);
        Assert.Single(pair.A.Receive(Now, pair.B.EndPoint, cookieReply)); // the retry with mac2
        AssertDropped(pair.A, cookieReply, SessionDropReason.InvalidCookieReply, pair.B.EndPoint);
    }

    [Fact]
    public void Check5_a_cookie_reply_for_a_handshake_we_answer_is_dropped_InvalidCookieReply()
    {
        using var pair = new SessionPair();
        var delivered = pair.B.Manager.HandleDatagram(Now, pair.A.EndPoint, pair.A.InitiateIk(Now, pair.B, "x"), new byte[PacketFormat.MaxPacketSize]);
        Assert.Equal(DatagramOutcome.FirstRequest, delivered.Outcome); // B now holds a responder handshake awaiting its answer
        uint responderIndex = delivered.Handshake.Value;
        var cookieReply = new byte[PacketFormat.CookieReplySize];
        PacketFormat.WriteHeader(cookieReply, PacketType.CookieReply, NetworkId);
        BinaryPrimitives.WriteUInt32LittleEndian(cookieReply.AsSpan(PacketFormat.HeaderSize), responderIndex);
        AssertDropped(pair.B, cookieReply, SessionDropReason.InvalidCookieReply, pair.A.EndPoint);
    }

    [Fact]
    public void Check5_a_cookie_reply_that_does_not_decrypt_is_dropped_InvalidCookieReply()
    {
        using var pair = new SessionPair();
        var genuine = CookieReply(pair);
        var tampered = (byte[])genuine.Clone();
        tampered[^1] ^= 1;
        AssertDropped(pair.A, tampered, SessionDropReason.InvalidCookieReply, pair.B.EndPoint);
        Assert.Single(pair.A.Receive(Now, pair.B.EndPoint, genuine)); // the forgery did not use up the handshake's cookie
    }

    // ---- 6. XX message 1 -----------------------------------------------------------------------------------

    [Fact]
    public void Check6_an_XX_message_1_shorter_than_58_bytes_is_dropped_Truncated()
    {
        using var pair = new SessionPair();
        AssertDropped(pair.B, pair.A.InitiateXx(Now, pair.B, "x")[..57], SessionDropReason.Truncated, pair.A.EndPoint);
        Assert.Equal(0, pair.B.Manager.PendingHandshakeCount);
    }

    [Fact]
    public void Check6_an_XX_message_1_carrying_our_own_ephemeral_is_dropped_Reflection()
    {
        using var pair = new SessionPair();
        AssertDropped(pair.A, pair.A.InitiateXx(Now, pair.B, "x"), SessionDropReason.Reflection, pair.B.EndPoint);
    }

    [Fact]
    public void Check6_under_load_an_XX_message_1_without_mac2_gets_a_cookie_reply_and_nothing_is_kept()
    {
        using var pair = new SessionPair();
        pair.B.Manager.UnderLoad = true;
        var sent = pair.B.Receive(Now, pair.A.EndPoint, pair.A.InitiateXx(Now, pair.B, "x"));
        Assert.Equal((byte)PacketType.CookieReply, Assert.Single(sent).Packet[1]);
        Assert.Equal(0, pair.B.Manager.PendingHandshakeCount);
    }

    [Fact]
    public void Check6_an_XX_message_1_whose_ephemeral_is_of_small_order_is_dropped_LowOrderKey()
    {
        using var pair = new SessionPair();
        var message1 = pair.A.InitiateXx(Now, pair.B, "x");
        message1.AsSpan(PacketFormat.HeaderSize + PacketFormat.IndexSize, PacketFormat.KeySize).Clear();
        AssertDropped(pair.B, message1, SessionDropReason.LowOrderKey, pair.A.EndPoint);
        Assert.Equal(0, pair.B.Manager.PendingHandshakeCount);
    }

    // ---- 7. XX message 2 -----------------------------------------------------------------------------------

    [Fact]
    public void Check7_an_XX_message_2_shorter_than_150_bytes_is_dropped_Truncated()
    {
        using var pair = new SessionPair();
        var message2 = XxMessage2(pair);
        AssertDropped(pair.A, message2[..149], SessionDropReason.Truncated, pair.B.EndPoint);
    }

    [Fact]
    public void Check7_an_XX_message_2_longer_than_150_bytes_is_dropped_TooLarge()
    {
        using var pair = new SessionPair();
        var message2 = XxMessage2(pair);
        AssertDropped(pair.A, [.. message2, 0], SessionDropReason.TooLarge, pair.B.EndPoint);
    }

    [Fact]
    public void Check7_an_XX_message_2_whose_receiver_index_names_no_handshake_is_dropped_UnknownIndex()
    {
        using var pair = new SessionPair();
        var message2 = XxMessage2(pair);
        message2[PacketFormat.HeaderSize + PacketFormat.IndexSize] ^= 0xFF;
        AssertDropped(pair.A, message2, SessionDropReason.UnknownIndex, pair.B.EndPoint);
    }

    [Fact]
    public void Check7_an_XX_message_2_addressed_to_a_handshake_that_is_not_our_XX_message_1_is_dropped_UnexpectedPacket()
    {
        using var pair = new SessionPair();
        var message2 = XxMessage2(pair);
        var initiation = pair.A.InitiateIk(Now, pair.B, "x");
        initiation.AsSpan(PacketFormat.HeaderSize, PacketFormat.IndexSize).CopyTo(message2.AsSpan(PacketFormat.HeaderSize + PacketFormat.IndexSize));
        AssertDropped(pair.A, message2, SessionDropReason.UnexpectedPacket, pair.B.EndPoint);
    }

    [Fact]
    public void Check7_an_XX_message_2_whose_ephemeral_is_of_small_order_is_dropped_LowOrderKey()
    {
        using var pair = new SessionPair();
        var message2 = XxMessage2(pair);
        message2.AsSpan(PacketFormat.HeaderSize + (2 * PacketFormat.IndexSize), PacketFormat.KeySize).Clear();
        AssertDropped(pair.A, message2, SessionDropReason.LowOrderKey, pair.B.EndPoint);
    }

    [Fact]
    public void Check7_an_XX_message_2_whose_static_does_not_decrypt_is_dropped_HandshakeFailed()
    {
        using var pair = new SessionPair();
        var message2 = XxMessage2(pair);
        message2[PacketFormat.HeaderSize + (2 * PacketFormat.IndexSize) + PacketFormat.KeySize] ^= 1;
        AssertDropped(pair.A, message2, SessionDropReason.HandshakeFailed, pair.B.EndPoint);
    }

    [Fact]
    public void Check7_an_XX_message_2_whose_Ed25519_key_is_not_its_Noise_static_is_dropped_IdentityMismatch()
    {
        using var pair = new SessionPair();
        using var other = new SessionTestNode(98, "10.0.0.4:4000");
        var message2 = CraftXxMessage2(pair.A.InitiateXx(Now, pair.B, "x"), pair.B.Identity.StaticKey, other.Key);
        AssertDropped(pair.A, message2, SessionDropReason.IdentityMismatch, pair.B.EndPoint);
        Assert.Equal(0, pair.A.Manager.PendingHandshakeCount); // authenticated, so the handshake is abandoned
    }

    [Fact]
    public void Check7_an_XX_message_2_carrying_our_own_identity_is_dropped_Reflection()
    {
        using var pair = new SessionPair();
        var message2 = CraftXxMessage2(pair.A.InitiateXx(Now, pair.B, "x"), pair.A.Identity.StaticKey, pair.A.Key);
        AssertDropped(pair.A, message2, SessionDropReason.Reflection, pair.B.EndPoint);
    }

    // ---- 8. XX message 3 -----------------------------------------------------------------------------------

    [Fact]
    public void Check8_an_XX_message_3_shorter_than_116_bytes_is_dropped_Truncated()
    {
        using var pair = new SessionPair();
        var message3 = XxMessage3(pair);
        AssertDropped(pair.B, message3[..115], SessionDropReason.Truncated, pair.A.EndPoint);
    }

    [Fact]
    public void Check8_an_XX_message_3_whose_receiver_index_names_no_handshake_is_dropped_UnknownIndex()
    {
        using var pair = new SessionPair();
        var message3 = XxMessage3(pair);
        message3[PacketFormat.HeaderSize] ^= 0xFF;
        AssertDropped(pair.B, message3, SessionDropReason.UnknownIndex, pair.A.EndPoint);
    }

    [Fact]
    public void Check8_an_XX_message_3_addressed_to_a_handshake_that_is_not_our_XX_message_2_is_dropped_UnexpectedPacket()
    {
        using var pair = new SessionPair();
        var message3 = XxMessage3(pair);
        var ours = pair.B.InitiateXx(Now, pair.A, "mine");
        ours.AsSpan(PacketFormat.HeaderSize, PacketFormat.IndexSize).CopyTo(message3.AsSpan(PacketFormat.HeaderSize));
        AssertDropped(pair.B, message3, SessionDropReason.UnexpectedPacket, pair.A.EndPoint);
    }

    [Fact]
    public void Check8_an_XX_message_3_whose_identity_is_refused_abandons_the_handshake_IdentityRefused()
    {
        var refusing = new SessionOptions { NetworkId = 7, AcceptIdentity = (_, _) => false };
        using var pair = new SessionPair(optionsB: refusing);
        AssertDropped(pair.B, XxMessage3(pair), SessionDropReason.IdentityRefused, pair.A.EndPoint);
        Assert.Equal(0, pair.B.Manager.PeerCount);
        Assert.Equal(0, pair.B.Manager.PendingHandshakeCount);
    }

    [Fact]
    public void Check8_an_XX_message_3_from_a_new_key_when_every_peer_is_verified_and_busy_is_dropped_PeerTableFull()
    {
        using var pair = new SessionPair(optionsB: new SessionOptions { NetworkId = 7, MaxPeers = 1 });
        using var verified = new SessionTestNode(97, "10.9.0.5:4000");
        AddVerifiedPeer(pair.B, verified);
        AssertDropped(pair.B, XxMessage3(pair), SessionDropReason.PeerTableFull, pair.A.EndPoint);
        Assert.True(pair.B.Manager.HasPeer(verified.Key));
        Assert.Equal(0, pair.B.Manager.PendingHandshakeCount);
    }

    [Fact]
    public void Check8_an_XX_message_3_from_a_new_key_of_a_prefix_over_its_rate_is_dropped_NewPeerRateLimited()
    {
        using var pair = new SessionPair(optionsB: new SessionOptions { NetworkId = 7, NewPeerBurstPerPrefix = 1, NewPeersPerSecondPerPrefix = 0.01 });
        using var neighbour = new SessionTestNode(97, "10.0.0.9:4000");
        Assert.Single(pair.B.Receive(Now, neighbour.EndPoint, neighbour.InitiateIk(Now, pair.B, "first")));
        AssertDropped(pair.B, XxMessage3(pair), SessionDropReason.NewPeerRateLimited, pair.A.EndPoint);
        Assert.False(pair.B.Manager.HasPeer(pair.A.Key));
        Assert.Equal(0, pair.B.Manager.PendingHandshakeCount);
    }

    [Fact]
    public void Check8_an_XX_message_3_whose_static_is_of_small_order_is_dropped_LowOrderKey()
    {
        using var pair = new SessionPair();
        var message3 = CraftXxMessage3(pair.B, pair.A.Identity.StaticKey, staticOverride: new byte[PacketFormat.KeySize], payload: XxPayload(pair.A.Key, "x"u8.ToArray()));
        AssertDropped(pair.B, message3, SessionDropReason.LowOrderKey, pair.A.EndPoint);
    }

    [Fact]
    public void Check8_an_XX_message_3_whose_static_does_not_decrypt_is_dropped_HandshakeFailed()
    {
        using var pair = new SessionPair();
        var message3 = XxMessage3(pair);
        message3[PacketFormat.HeaderSize + PacketFormat.IndexSize] ^= 1;
        AssertDropped(pair.B, message3, SessionDropReason.HandshakeFailed, pair.A.EndPoint);
    }

    [Fact]
    public void Check8_an_XX_message_3_declaring_a_request_longer_than_its_payload_is_dropped_MalformedPayload()
    {
        using var pair = new SessionPair();
        var message3 = CraftXxMessage3(pair.B, pair.A.Identity.StaticKey, payload: XxPayload(pair.A.Key, "abc"u8.ToArray(), declaredLength: 4));
        AssertDropped(pair.B, message3, SessionDropReason.MalformedPayload, pair.A.EndPoint);
        Assert.Equal(0, pair.B.Manager.PendingHandshakeCount);
        Assert.Equal(0, pair.B.Manager.SessionCount);
    }

    [Fact]
    public void Check8_an_XX_message_3_whose_Ed25519_key_is_not_its_Noise_static_is_dropped_IdentityMismatch()
    {
        using var pair = new SessionPair();
        using var other = new SessionTestNode(98, "10.0.0.4:4000");
        var message3 = CraftXxMessage3(pair.B, pair.A.Identity.StaticKey, payload: XxPayload(other.Key, "x"u8.ToArray()));
        AssertDropped(pair.B, message3, SessionDropReason.IdentityMismatch, pair.A.EndPoint);
        Assert.Equal(0, pair.B.Manager.SessionCount);
    }

    [Fact]
    public void Check8_an_XX_message_3_carrying_our_own_identity_is_dropped_Reflection()
    {
        using var pair = new SessionPair();
        var message3 = CraftXxMessage3(pair.B, pair.B.Identity.StaticKey, payload: XxPayload(pair.B.Key, "x"u8.ToArray()));
        AssertDropped(pair.B, message3, SessionDropReason.Reflection, pair.A.EndPoint);
        Assert.Equal(0, pair.B.Manager.SessionCount);
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static SessionTestNode Node() => new(3, "10.0.0.2:4000");

    /// <summary>Delivers <paramref name="packet"/>: it must be dropped for <paramref name="reason"/>, answered with nothing, deliver nothing.</summary>
    /// <summary>Makes <paramref name="verified"/> a verified peer of <paramref name="node"/>: node's own initiation, answered.</summary>
    private static void AddVerifiedPeer(SessionTestNode node, SessionTestNode verified)
    {
        var (_, response) = Assert.Single(verified.Receive(Now, node.EndPoint, node.InitiateIk(Now, verified, "hello")));
        node.Receive(Now, verified.EndPoint, response);
        Assert.Equal(1, node.Manager.VerifiedPeerCount);
    }

    private static void AssertDropped(SessionTestNode node, byte[] packet, SessionDropReason reason, EndPoint? from = null, DateTimeOffset? now = null)
    {
        int drops = node.Drops.Count;
        int delivered = node.Delivered.Count;
        var sent = node.Receive(now ?? Now, from ?? IPEndPoint.Parse("10.0.0.1:4000"), packet);
        Assert.Empty(sent);
        Assert.Equal(reason, Assert.Single(node.Drops.Skip(drops)));
        Assert.Equal(delivered, node.Delivered.Count);
    }

    private static void ResealMac1(byte[] packet, SessionTestNode recipient)
    {
        var mac1Key = new byte[32];
        Mac.DeriveKey("mac1", recipient.Identity.StaticPublicKey, mac1Key);
        int mac1Offset = packet.Length - (2 * Mac.Size);
        Mac.Compute(mac1Key, packet.AsSpan(0, mac1Offset), packet.AsSpan(mac1Offset));
    }

    private static byte[] Prologue()
    {
        var prologue = new byte[PacketFormat.PrologueSize];
        PacketFormat.WritePrologue(prologue, NetworkId);
        return prologue;
    }

    /// <summary>The IK payload: timestamp, Ed25519 key, PoW nonce, request length (declared) and request.</summary>
    private static byte[] IkPayload(PeerKey key, ulong nonce, byte[] request, int? declaredLength = null)
    {
        var payload = new byte[PacketFormat.InitiationPayloadFixedSize + request.Length];
        Tai64N.FromDateTimeOffset(Now).Write(payload);
        key.Span.CopyTo(payload.AsSpan(PacketFormat.TimestampSize));
        BinaryPrimitives.WriteUInt64BigEndian(payload.AsSpan(PacketFormat.TimestampSize + PacketFormat.KeySize), nonce);
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(PacketFormat.TimestampSize + PacketFormat.KeySize + PacketFormat.PowNonceSize), (ushort)(declaredLength ?? request.Length));
        request.CopyTo(payload, PacketFormat.InitiationPayloadFixedSize);
        return payload;
    }

    /// <summary>The XX message 3 payload: Ed25519 key, PoW nonce, request length (declared) and request.</summary>
    private static byte[] XxPayload(PeerKey key, byte[] request, int? declaredLength = null)
    {
        var payload = new byte[PacketFormat.XxMessage3PayloadFixedSize + request.Length];
        key.Span.CopyTo(payload);
        BinaryPrimitives.WriteUInt64BigEndian(payload.AsSpan(PacketFormat.KeySize), 42);
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(PacketFormat.KeySize + PacketFormat.PowNonceSize), (ushort)(declaredLength ?? request.Length));
        request.CopyTo(payload, PacketFormat.XxMessage3PayloadFixedSize);
        return payload;
    }

    /// <summary>An IK initiation made with <paramref name="senderStatic"/> around any payload, with a valid mac1.</summary>
    private static byte[] CraftIkInitiation(X25519KeyPair senderStatic, SessionTestNode responder, byte[] payload)
    {
        using var state = new HandshakeState(HandshakePattern.IK, true, Prologue(), senderStatic, Dh25519.GenerateKey(new SeededRandomSource(7)), responder.Identity.StaticPublicKey);
        var packet = new byte[PacketFormat.InitiationOverhead + payload.Length];
        PacketFormat.WriteHeader(packet, PacketType.IkInitiation, NetworkId);
        BinaryPrimitives.WriteUInt32LittleEndian(packet.AsSpan(PacketFormat.HeaderSize), 0x01020304);
        Assert.True(state.TryWriteMessage(payload, packet.AsSpan(PacketFormat.InitiationNoiseOffset), out int written));
        Assert.Equal(packet.Length - (2 * Mac.Size), PacketFormat.InitiationNoiseOffset + written);
        ResealMac1(packet, responder);
        return packet;
    }

    /// <summary>An XX message 2 answering <paramref name="message1"/>, made with <paramref name="responderStatic"/> and carrying <paramref name="key"/>.</summary>
    private static byte[] CraftXxMessage2(byte[] message1, X25519KeyPair responderStatic, PeerKey key)
    {
        using var state = new HandshakeState(HandshakePattern.XX, false, Prologue(), responderStatic, Dh25519.GenerateKey(new SeededRandomSource(8)));
        Assert.True(state.TryReadMessage(message1.AsSpan(PacketFormat.HeaderSize + PacketFormat.IndexSize, message1.Length - PacketFormat.HeaderSize - PacketFormat.IndexSize - Mac.Size), new byte[64], out _));
        var payload = new byte[PacketFormat.XxMessage2PayloadSize];
        key.Span.CopyTo(payload);
        var packet = new byte[PacketFormat.XxMessage2Size];
        PacketFormat.WriteHeader(packet, PacketType.XxMessage2, NetworkId);
        BinaryPrimitives.WriteUInt32LittleEndian(packet.AsSpan(PacketFormat.HeaderSize), 0x05060708);
        message1.AsSpan(PacketFormat.HeaderSize, PacketFormat.IndexSize).CopyTo(packet.AsSpan(PacketFormat.HeaderSize + PacketFormat.IndexSize));
        Assert.True(state.TryWriteMessage(payload, packet.AsSpan(PacketFormat.HeaderSize + (2 * PacketFormat.IndexSize)), out _));
        return packet;
    }

    /// <summary>
    /// Runs XX against <paramref name="responder"/> by hand with <paramref name="initiatorStatic"/>, then returns a
    /// message 3 around <paramref name="payload"/>; with <paramref name="staticOverride"/> the encrypted static is
    /// that key instead (the message then stops at "se").
    /// </summary>
    private static byte[] CraftXxMessage3(SessionTestNode responder, X25519KeyPair initiatorStatic, byte[] payload, byte[]? staticOverride = null)
    {
        using var ephemeral = Dh25519.GenerateKey(new SeededRandomSource(9));
        using var symmetric = new SymmetricState(Encoding.ASCII.GetBytes("Noise_XX_25519_ChaChaPoly_SHA256"));
        symmetric.MixHash(Prologue());

        var message1 = new byte[PacketFormat.XxMessage1MinSize];
        PacketFormat.WriteHeader(message1, PacketType.XxMessage1, NetworkId);
        BinaryPrimitives.WriteUInt32LittleEndian(message1.AsSpan(PacketFormat.HeaderSize), 0x090a0b0c);
        ephemeral.PublicKey.CopyTo(message1.AsSpan(PacketFormat.HeaderSize + PacketFormat.IndexSize));
        symmetric.MixHash(ephemeral.PublicKey);
        Assert.True(symmetric.TryEncryptAndHash([], [], out _));

        var message2 = Assert.Single(responder.Receive(Now, IPEndPoint.Parse("10.0.0.1:4000"), message1)).Packet;
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

        var message3 = new byte[PacketFormat.XxMessage3Overhead - PacketFormat.XxMessage3PayloadFixedSize + payload.Length];
        PacketFormat.WriteHeader(message3, PacketType.XxMessage3, NetworkId);
        message2.AsSpan(PacketFormat.HeaderSize, PacketFormat.IndexSize).CopyTo(message3.AsSpan(PacketFormat.HeaderSize));
        int offset = PacketFormat.HeaderSize + PacketFormat.IndexSize;
        Assert.True(symmetric.TryEncryptAndHash(staticOverride ?? initiatorStatic.PublicKey, message3.AsSpan(offset), out int written));
        if (staticOverride is null)
        {
            Assert.True(Dh25519.TryAgree(initiatorStatic, remoteEphemeral, shared));
            symmetric.MixKey(shared);
            Assert.True(symmetric.TryEncryptAndHash(payload, message3.AsSpan(offset + written), out _));
        }

        return message3;
    }

    /// <summary>A cookie reply from B under load for A's IK initiation (A's handshake is pending).</summary>
    private static byte[] CookieReply(SessionPair pair)
    {
        pair.B.Manager.UnderLoad = true;
        var sent = pair.B.Receive(Now, pair.A.EndPoint, pair.A.InitiateIk(Now, pair.B, "x"));
        pair.B.Manager.UnderLoad = false;
        var reply = Assert.Single(sent).Packet;
        Assert.Equal((byte)PacketType.CookieReply, reply[1]);
        return reply;
    }

    /// <summary>B's genuine XX message 2 to A's message 1 (A's handshake is pending).</summary>
    private static byte[] XxMessage2(SessionPair pair) =>
        Assert.Single(pair.B.Receive(Now, pair.A.EndPoint, pair.A.InitiateXx(Now, pair.B, "x"))).Packet;

    /// <summary>A's genuine XX message 3 to B (B's handshake is pending).</summary>
    private static byte[] XxMessage3(SessionPair pair) =>
        Assert.Single(pair.A.Receive(Now, pair.B.EndPoint, XxMessage2(pair))).Packet;

    private static string SourceDirectory([CallerFilePath] string thisFile = "") => Path.GetDirectoryName(thisFile)!;
}
