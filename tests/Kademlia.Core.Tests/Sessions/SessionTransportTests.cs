using System.Buffers.Binary;
using Kademlia.Sessions;

namespace Kademlia.Tests.Sessions;

public class SessionTransportTests
{
    [Fact]
    public void A_replayed_transport_packet_is_rejected()
    {
        using var pair = SessionHandshakeTests.Established();
        var packet = pair.A.Seal(pair.Now, pair.B, "once");

        pair.B.Receive(pair.Now, pair.A.EndPoint, packet);
        pair.B.Receive(pair.Now, pair.A.EndPoint, packet);

        Assert.Single(pair.B.Delivered, d => d.Text == "once");
        Assert.Equal(SessionDropReason.Replayed, Assert.Single(pair.B.Drops));
    }

    [Fact]
    public void Out_of_order_transport_within_the_window_is_accepted_and_too_old_is_rejected()
    {
        using var pair = SessionHandshakeTests.Established();
        var packets = Enumerable.Range(0, 5000).Select(i => pair.A.Seal(pair.Now, pair.B, $"m{i}")).ToList();

        pair.B.Receive(pair.Now, pair.A.EndPoint, packets[4999]);
        pair.B.Receive(pair.Now, pair.A.EndPoint, packets[4999 - 2048]);
        pair.B.Receive(pair.Now, pair.A.EndPoint, packets[4000]);
        pair.B.Receive(pair.Now, pair.A.EndPoint, packets[10]);

        Assert.Equal(["m4999", "m2951", "m4000"], pair.B.Delivered.Skip(1).Select(d => d.Text));
        Assert.Equal(SessionDropReason.Replayed, Assert.Single(pair.B.Drops));
    }

    [Fact]
    public void A_forged_counter_does_not_move_the_replay_window()
    {
        using var pair = SessionHandshakeTests.Established();
        var genuine = pair.A.Seal(pair.Now, pair.B, "genuine");
        var forged = (byte[])pair.A.Seal(pair.Now, pair.B, "forged").Clone();
        BitConverter.TryWriteBytes(forged.AsSpan(10), ulong.MaxValue / 2);

        pair.B.Receive(pair.Now, pair.A.EndPoint, forged);
        pair.B.Receive(pair.Now, pair.A.EndPoint, genuine);

        Assert.Equal(SessionDropReason.DecryptionFailed, Assert.Single(pair.B.Drops));
        Assert.Equal("genuine", pair.B.Delivered[^1].Text);
    }

    [Fact]
    public void The_replay_window_accepts_each_counter_once_in_any_order()
    {
        var window = new ReplayWindow();
        var order = Enumerable.Range(0, 3000).Select(i => (ulong)i).OrderBy(i => (i * 7919) % 3001).ToList();
        foreach (var counter in order)
        {
            Assert.True(window.TryMark(counter));
        }

        foreach (var counter in order)
        {
            Assert.False(window.IsFresh(counter));
        }

        Assert.True(window.TryMark(100_000));
        Assert.False(window.IsFresh(100_000 - ReplayWindow.WindowSize - 1));
        Assert.True(window.IsFresh(100_000 - ReplayWindow.WindowSize + 1));
    }

    // docs/PROTOCOL.md, "Replay window": after the greatest accepted counter G, the 4032 counters G - 4032 .. G - 1
    // are accepted once each and G - 4033 and below are Replayed (WireGuard's rule with its window of 8128 replaced
    // by 4032). G is chosen at every position inside a 64-bit block, because the ring recycles whole blocks.
    [Theory]
    [InlineData(4032UL)]
    [InlineData(4033UL)]
    [InlineData(100_000UL)]
    [InlineData(100_032UL)] // the first counter of a block
    [InlineData(100_095UL)] // the last counter of a block
    public void The_replay_window_accepts_exactly_the_4032_counters_below_the_greatest(ulong greatest)
    {
        Assert.Equal(4032UL, ReplayWindow.WindowSize);
        var window = new ReplayWindow();
        Assert.True(window.TryMark(greatest));

        Assert.True(window.IsFresh(greatest - 4032));
        if (greatest >= 4033)
        {
            Assert.False(window.IsFresh(greatest - 4033));
            Assert.False(window.TryMark(greatest - 4033));
        }

        for (ulong counter = greatest - 4032; counter < greatest; counter++)
        {
            Assert.True(window.TryMark(counter), $"G - {greatest - counter} was refused");
        }

        for (ulong counter = greatest - 4032; counter <= greatest; counter++)
        {
            Assert.False(window.IsFresh(counter), $"G - {greatest - counter} was accepted twice");
        }
    }

    [Fact]
    public void A_transport_packet_4032_counters_below_the_greatest_is_accepted_and_4033_below_is_Replayed()
    {
        using var pair = SessionHandshakeTests.Established();
        var packets = Enumerable.Range(0, 5001).Select(i => pair.A.Seal(pair.Now, pair.B, $"m{i}")).ToList();

        pair.B.Receive(pair.Now, pair.A.EndPoint, packets[5000]);
        pair.B.Receive(pair.Now, pair.A.EndPoint, packets[5000 - 4033]);
        pair.B.Receive(pair.Now, pair.A.EndPoint, packets[5000 - 4032]);
        pair.B.Receive(pair.Now, pair.A.EndPoint, packets[5000 - 4032]);

        Assert.Equal(["m5000", "m968"], pair.B.Delivered.Skip(1).Select(d => d.Text));
        Assert.Equal([SessionDropReason.Replayed, SessionDropReason.Replayed], pair.B.Drops);
    }

    [Fact]
    public void The_session_initiator_rekeys_after_120_seconds_and_old_packets_in_flight_still_decrypt()
    {
        using var pair = SessionHandshakeTests.Established();
        pair.Now += TimeSpan.FromSeconds(121);
        var inFlight = pair.B.Seal(pair.Now, pair.A, "old session");

        // Sending on an old session still works, and queues a rekey handshake.
        pair.Send(pair.A, pair.A.Seal(pair.Now, pair.B, "trigger"));
        Assert.True(pair.A.Manager.IsHandshaking(pair.B.Key));
        pair.InFlight.AddRange(pair.A.Drain().Select(t => (pair.B, (System.Net.EndPoint)pair.A.EndPoint, t.Packet)));
        pair.Flush();
        Assert.False(pair.A.Manager.IsHandshaking(pair.B.Key));

        pair.A.Receive(pair.Now, pair.B.EndPoint, inFlight);
        Assert.Equal("old session", pair.A.Delivered[^1].Text);

        // Past the old session's reject time, the new one carries traffic both ways.
        pair.Now += TimeSpan.FromSeconds(100);
        pair.Send(pair.A, pair.A.Seal(pair.Now, pair.B, "new A"));
        pair.Flush();
        pair.Send(pair.B, pair.B.Seal(pair.Now, pair.A, "new B"));
        pair.Flush();
        Assert.Equal("new A", pair.B.Delivered[^1].Text);
        Assert.Equal("new B", pair.A.Delivered[^1].Text);
        Assert.Empty(pair.A.Drops);
        Assert.Empty(pair.B.Drops);
    }

    // docs/PROTOCOL.md, "Sessions": a node seals on current while it can send, else on next. After a rekey the
    // responder's new session waits as next, so the responder keeps using the old one until the initiator
    // sends on the new one, or until the old one can no longer send.
    [Fact]
    public void After_a_rekey_the_responder_sends_on_the_old_session_until_the_initiator_sends_on_the_new_one()
    {
        using var pair = new SessionPair();
        var (oldIndex, newIndex) = Rekey(pair);

        Assert.Equal(oldIndex, ReceiverIndex(pair.B.Seal(pair.Now, pair.A, "before")));

        pair.Send(pair.A, pair.A.Seal(pair.Now, pair.B, "on the new session"));
        pair.Flush();
        Assert.Equal("on the new session", pair.B.Delivered[^1].Text);

        var after = pair.B.Seal(pair.Now, pair.A, "after");
        Assert.Equal(newIndex, ReceiverIndex(after));
        pair.A.Receive(pair.Now, pair.B.EndPoint, after);
        Assert.Equal("after", pair.A.Delivered[^1].Text);
    }

    [Fact]
    public void A_responder_whose_current_session_can_no_longer_send_sends_on_next()
    {
        using var pair = new SessionPair();
        var (oldIndex, newIndex) = Rekey(pair);
        Assert.Equal(oldIndex, ReceiverIndex(pair.B.Seal(pair.Now, pair.A, "old")));

        pair.Now = SessionPair.Start + TimeSpan.FromSeconds(180); // the first session's reject-after time
        var packet = pair.B.Seal(pair.Now, pair.A, "on next");

        Assert.Equal(newIndex, ReceiverIndex(packet));
        pair.A.Receive(pair.Now, pair.B.EndPoint, packet);
        Assert.Equal("on next", pair.A.Delivered[^1].Text);
    }

    // docs/PROTOCOL.md, "Indexes and counters": a sender never picks index 0, but a receiver takes a peer's sender
    // index as given, 0 included (it only says how to address the peer); a packet addressed to 0 matches nothing.
    [Fact]
    public void A_peer_sender_index_of_0_is_accepted_and_used_to_address_it_while_receiver_index_0_matches_nothing()
    {
        using var pair = new SessionPair();
        var initiation = pair.A.InitiateIk(pair.Now, pair.B, "hello");
        BinaryPrimitives.WriteUInt32LittleEndian(initiation.AsSpan(PacketFormat.HeaderSize), 0);
        var mac1Key = new byte[32];
        Mac.DeriveKey("mac1", pair.B.Identity.StaticPublicKey, mac1Key);
        Mac.Compute(mac1Key, initiation.AsSpan(0, initiation.Length - 32), initiation.AsSpan(initiation.Length - 32));

        var response = Assert.Single(pair.B.Receive(pair.Now, pair.A.EndPoint, initiation)).Packet;

        Assert.Equal("hello", Assert.Single(pair.B.Delivered).Text);
        Assert.Equal((byte)PacketType.IkResponse, response[1]);
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(response.AsSpan(PacketFormat.HeaderSize + PacketFormat.IndexSize)));
        var toZero = pair.B.Seal(pair.Now, pair.A, "to index 0");
        Assert.Equal(0u, ReceiverIndex(toZero));

        // A never allocates 0 (its initiation's real index was overwritten), so nothing of A's has that index.
        pair.A.Receive(pair.Now, pair.B.EndPoint, toZero);
        Assert.Equal(SessionDropReason.UnknownIndex, Assert.Single(pair.A.Drops));
    }

    /// <summary>A meets B, then rekeys at 121 s; returns A's index of the first session and of the second.</summary>
    internal static (uint Old, uint New) Rekey(SessionPair pair)
    {
        var first = pair.A.InitiateIk(pair.Now, pair.B, "hello");
        pair.Send(pair.A, first);
        pair.Flush();
        pair.Now += TimeSpan.FromSeconds(121);
        pair.Send(pair.A, pair.A.Seal(pair.Now, pair.B, "trigger"));
        var rekey = Assert.Single(pair.A.Drain()).Packet;
        Assert.Equal((byte)PacketType.IkInitiation, rekey[1]);
        pair.InFlight.Add((pair.B, pair.A.EndPoint, rekey));
        pair.Flush();
        Assert.False(pair.A.Manager.IsHandshaking(pair.B.Key));
        return (BinaryPrimitives.ReadUInt32LittleEndian(first.AsSpan(PacketFormat.HeaderSize)), BinaryPrimitives.ReadUInt32LittleEndian(rekey.AsSpan(PacketFormat.HeaderSize)));
    }

    private static uint ReceiverIndex(byte[] transport) => BinaryPrimitives.ReadUInt32LittleEndian(transport.AsSpan(PacketFormat.HeaderSize));

    [Fact]
    public void A_session_expires_after_180_seconds_and_then_needs_a_new_handshake()
    {
        using var pair = SessionHandshakeTests.Established();
        var late = pair.A.Seal(pair.Now, pair.B, "late");

        pair.Now += TimeSpan.FromSeconds(180);

        Assert.Equal(SealStatus.NeedsHandshake, pair.B.TrySeal(pair.Now, pair.A, "x", out _).Status);
        Assert.Equal(SealStatus.NeedsHandshake, pair.A.TrySeal(pair.Now, pair.B, "x", out _).Status);
        pair.B.Receive(pair.Now, pair.A.EndPoint, late);
        Assert.Equal(SessionDropReason.SessionExpired, Assert.Single(pair.B.Drops));

        pair.Tick(TimeSpan.FromSeconds(1));
        Assert.Equal(0, pair.A.Manager.SessionCount);

        pair.Send(pair.A, pair.A.InitiateIk(pair.Now, pair.B, "again"));
        pair.Flush();
        Assert.Equal("answer:again", pair.A.Delivered[^1].Text);
    }

    [Fact]
    public void Following_the_next_timeout_reaches_every_sessions_expiry_on_time_and_then_goes_idle()
    {
        // The sessions' part of NextTimeout is kept, not scanned: it must never be later than an expiry, or
        // a node whose timer follows it would keep dead sessions.
        using var pair = new SessionPair();
        pair.Send(pair.A, pair.A.InitiateIk(pair.Now, pair.B, "hello"));
        pair.Flush();
        Assert.True(pair.A.Manager.SessionCount > 0);
        var expiry = pair.Now + SessionTimers.RejectAfterTime;
        for (var step = 0; step < 100 && pair.A.Manager.NextTimeout() is { } due; step++)
        {
            Assert.True(due <= expiry, $"next timeout {due:O} is after the session's expiry {expiry:O}");
            pair.Tick(due > pair.Now ? due - pair.Now : TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(0, pair.A.Manager.SessionCount);
        Assert.Null(pair.A.Manager.NextTimeout());
        Assert.True(pair.Now <= expiry + TimeSpan.FromMilliseconds(1), $"the session was freed at {pair.Now:O}, after its expiry");
    }

    [Fact]
    public void A_lost_initiation_is_retried_after_five_seconds_with_a_fresh_handshake()
    {
        using var pair = new SessionPair();
        pair.A.InitiateIk(pair.Now, pair.B, "lost");
        Assert.Equal(pair.Now + TimeSpan.FromSeconds(5), pair.A.Manager.NextTimeout());

        pair.Tick(TimeSpan.FromSeconds(4));
        Assert.Empty(pair.InFlight);
        pair.Tick(TimeSpan.FromSeconds(1));
        Assert.Single(pair.InFlight);
        pair.Flush();

        Assert.Equal("answer:lost", Assert.Single(pair.A.Delivered).Text);
    }

    [Fact]
    public void Retries_stop_after_ninety_seconds()
    {
        using var pair = new SessionPair();
        pair.A.InitiateIk(pair.Now, pair.B, "nobody home");
        int sent = 0;
        for (int second = 0; second < 200; second++)
        {
            pair.Tick(TimeSpan.FromSeconds(1));
            sent += pair.InFlight.Count;
            pair.InFlight.Clear();
        }

        Assert.InRange(sent, 17, 18);
        Assert.Equal(0, pair.A.Manager.PendingHandshakeCount);
        Assert.Null(pair.A.Manager.NextTimeout());
    }

    [Fact]
    public void Under_load_the_responder_answers_a_cookie_and_the_initiator_retries_with_mac2()
    {
        using var pair = new SessionPair();
        pair.B.Manager.UnderLoad = true;
        pair.Send(pair.A, pair.A.InitiateIk(pair.Now, pair.B, "busy?"));

        pair.Deliver(0);
        var cookieReply = Assert.Single(pair.InFlight);
        Assert.Equal((byte)PacketType.CookieReply, cookieReply.Packet[1]);
        Assert.Equal(PacketFormat.CookieReplySize, cookieReply.Packet.Length);
        Assert.Empty(pair.B.Delivered);
        Assert.Equal(0, pair.B.Manager.PendingHandshakeCount); // stateless

        pair.Deliver(0); // A retries with mac2
        Assert.Equal((byte)PacketType.IkInitiation, pair.InFlight[0].Packet[1]);
        pair.Flush();

        Assert.Equal("busy?", Assert.Single(pair.B.Delivered).Text);
        Assert.Equal("answer:busy?", Assert.Single(pair.A.Delivered).Text);
    }

    [Fact]
    public void Under_load_a_cookie_is_bound_to_the_address_it_was_issued_for()
    {
        using var pair = new SessionPair();
        pair.B.Manager.UnderLoad = true;
        var initiation = pair.A.InitiateIk(pair.Now, pair.B, "busy?");
        var cookieReply = pair.B.Receive(pair.Now, pair.A.EndPoint, initiation).Single().Packet;
        var retry = pair.A.Receive(pair.Now, pair.B.EndPoint, cookieReply).Single().Packet;

        var elsewhere = System.Net.IPEndPoint.Parse("192.0.2.1:9");
        var answer = pair.B.Receive(pair.Now, elsewhere, retry).Single().Packet;

        Assert.Equal((byte)PacketType.CookieReply, answer[1]);
        Assert.Empty(pair.B.Delivered);
    }

    [Fact]
    public void Under_load_XX_also_goes_through_a_cookie()
    {
        using var pair = new SessionPair();
        pair.B.Manager.UnderLoad = true;
        pair.Send(pair.A, pair.A.InitiateXx(pair.Now, pair.B, "bootstrap"));

        pair.Deliver(0);
        Assert.Equal((byte)PacketType.CookieReply, pair.InFlight[0].Packet[1]);
        pair.Flush();

        Assert.Equal("bootstrap", Assert.Single(pair.B.Delivered).Text);
    }

    [Fact]
    public void A_forged_handshake_response_does_not_kill_the_genuine_handshake()
    {
        using var pair = new SessionPair();
        pair.Send(pair.A, pair.A.InitiateIk(pair.Now, pair.B, "hello"));
        pair.Deliver(0);
        var genuine = pair.InFlight[0].Packet;
        var forged = (byte[])genuine.Clone();
        forged[50] ^= 0xFF;

        // mac1 is keyed by A's public key, which anyone knows, so recompute it over the forgery.
        var mac1Key = new byte[32];
        var staticKey = new byte[32];
        KeyConversion.TryConvertPublicKey(pair.A.Key.Span, staticKey);
        Mac.DeriveKey("mac1", staticKey, mac1Key);
        Mac.Compute(mac1Key, forged.AsSpan(0, forged.Length - 32), forged.AsSpan(forged.Length - 32));

        pair.A.Receive(pair.Now, pair.B.EndPoint, forged);
        Assert.Equal(SessionDropReason.HandshakeFailed, Assert.Single(pair.A.Drops));
        pair.Flush();
        Assert.Equal("answer:hello", Assert.Single(pair.A.Delivered).Text);
    }

    [Fact]
    public void The_session_table_evicts_the_least_recently_used_peer()
    {
        var options = new SessionOptions { NetworkId = 7, MaxPeers = 2 };
        using var hub = new SessionTestNode(10, "10.0.1.1:1", options: options);
        var peers = Enumerable.Range(0, 3).Select(i => new SessionTestNode(20 + i, $"10.0.1.{i + 2}:1")).ToList();
        var now = SessionPair.Start;
        foreach (var peer in peers)
        {
            var response = hub.Receive(now, peer.EndPoint, peer.InitiateIk(now, hub, "hi")).Single().Packet;
            peer.Receive(now, hub.EndPoint, response);
            now += TimeSpan.FromSeconds(1);
        }

        Assert.Equal(2, hub.Manager.PeerCount);
        Assert.False(hub.Manager.HasSession(peers[0].Key, now));
        Assert.True(hub.Manager.HasSession(peers[2].Key, now));
        hub.Receive(now, peers[0].EndPoint, peers[0].Seal(now, hub, "evicted"));
        Assert.Equal(SessionDropReason.UnknownIndex, Assert.Single(hub.Drops));
        peers.ForEach(p => p.Dispose());
    }
}
