using System.Buffers.Binary;
using System.Net;
using Kademlia.Sessions;

namespace Kademlia.Tests.Sessions;

public class SessionHandshakeTests
{
    [Fact]
    public void IK_first_contact_delivers_the_request_and_its_answer_in_one_round_trip()
    {
        using var pair = new SessionPair();
        pair.Send(pair.A, pair.A.InitiateIk(pair.Now, pair.B, "find_node"));

        pair.Deliver(0);
        var request = Assert.Single(pair.B.Delivered);
        Assert.Equal(DatagramOutcome.FirstRequest, request.Outcome);
        Assert.Equal("find_node", request.Text);
        Assert.Equal(new PeerIdentity(pair.A.Key, 42), request.Peer);

        pair.Deliver(0);
        var answer = Assert.Single(pair.A.Delivered);
        Assert.Equal(DatagramOutcome.FirstAnswer, answer.Outcome);
        Assert.Equal("answer:find_node", answer.Text);
        Assert.Equal(pair.B.Key, answer.Peer.Key);
        Assert.Empty(pair.InFlight);
        Assert.True(pair.A.Manager.HasSession(pair.B.Key, pair.Now));
        Assert.True(pair.B.Manager.HasSession(pair.A.Key, pair.Now));
    }

    [Fact]
    public void After_IK_both_sides_exchange_transport_data()
    {
        using var pair = Established();

        pair.Send(pair.A, pair.A.Seal(pair.Now, pair.B, "ping"));
        pair.Send(pair.B, pair.B.Seal(pair.Now, pair.A, "pong"));
        pair.Flush();

        Assert.Equal("ping", pair.B.Delivered[^1].Text);
        Assert.Equal(DatagramOutcome.Data, pair.B.Delivered[^1].Outcome);
        Assert.Equal("pong", pair.A.Delivered[^1].Text);
        Assert.Empty(pair.A.Drops);
        Assert.Empty(pair.B.Drops);
    }

    [Fact]
    public void XX_first_contact_learns_both_identities_and_answers_over_transport()
    {
        using var pair = new SessionPair();
        pair.Send(pair.A, pair.A.InitiateXx(pair.Now, pair.B, "bootstrap"));

        pair.Deliver(0); // message 1 -> B answers message 2
        pair.Deliver(0); // message 2 -> A answers message 3 with the request
        Assert.True(pair.A.Manager.HasSession(pair.B.Key, pair.Now));
        pair.Deliver(0); // message 3 -> B delivers the request
        var request = Assert.Single(pair.B.Delivered);
        Assert.Equal(DatagramOutcome.Data, request.Outcome);
        Assert.Equal("bootstrap", request.Text);
        Assert.Equal(new PeerIdentity(pair.A.Key, 42), request.Peer);

        pair.Send(pair.B, pair.B.Seal(pair.Now, pair.A, "answer"));
        pair.Flush();
        var answer = Assert.Single(pair.A.Delivered);
        Assert.Equal("answer", answer.Text);
        Assert.Equal(new PeerIdentity(pair.B.Key, 42), answer.Peer);
    }

    [Fact]
    public void Handshake_with_replayed_initiation_is_rejected()
    {
        using var pair = new SessionPair();
        var initiation = pair.A.InitiateIk(pair.Now, pair.B, "store");
        pair.Send(pair.A, initiation);
        pair.Flush();

        pair.Now += TimeSpan.FromSeconds(1);
        pair.Send(pair.A, initiation);
        pair.Deliver(0);

        Assert.Equal(SessionDropReason.ReplayedInitiation, Assert.Single(pair.B.Drops));
        Assert.Single(pair.B.Delivered);
    }

    [Fact]
    public void An_initiation_sealed_for_another_key_fails_mac1_before_any_DH()
    {
        using var pair = new SessionPair();
        using var stranger = new SessionTestNode(99, "10.0.0.3:4000");
        var initiation = pair.A.InitiateIk(pair.Now, stranger, "hello");

        pair.Send(pair.A, initiation);
        pair.Deliver(0);

        Assert.Equal(SessionDropReason.InvalidMac1, Assert.Single(pair.B.Drops));
    }

    [Fact]
    public void Packets_of_another_network_or_version_are_dropped_with_their_reason()
    {
        using var pair = new SessionPair(optionsB: new SessionOptions { NetworkId = 8 });
        var initiation = pair.A.InitiateIk(pair.Now, pair.B, "hello");
        pair.Send(pair.A, initiation);
        pair.Deliver(0);
        Assert.Equal(SessionDropReason.WrongNetwork, pair.B.Drops[^1]);

        var otherVersion = (byte[])initiation.Clone();
        otherVersion[0] = 2;
        pair.Send(pair.A, otherVersion);
        pair.Deliver(0);
        Assert.Equal(SessionDropReason.UnsupportedVersion, pair.B.Drops[^1]);

        pair.Send(pair.A, new byte[1281]);
        pair.Deliver(0);
        Assert.Equal(SessionDropReason.TooLarge, pair.B.Drops[^1]);
        Assert.Empty(pair.B.Delivered);
    }

    [Fact]
    public void The_prologue_binds_the_network_even_if_the_header_is_rewritten()
    {
        using var pair = new SessionPair(optionsB: new SessionOptions { NetworkId = 8 });
        var initiation = pair.A.InitiateIk(pair.Now, pair.B, "hello");
        BinaryPrimitives.WriteUInt32BigEndian(initiation.AsSpan(2), 8);

        pair.Send(pair.A, initiation);
        pair.Deliver(0);

        // mac1 covers the header, so rewriting it fails there; the Noise prologue would reject it next.
        Assert.Equal(SessionDropReason.InvalidMac1, Assert.Single(pair.B.Drops));
    }

    [Fact]
    public void A_reflected_packet_of_every_kind_is_rejected()
    {
        using var pair = new SessionPair();

        // IK initiation reflected to its sender: mac1 is keyed by the responder's key.
        var initiation = pair.A.InitiateIk(pair.Now, pair.B, "hello");
        pair.A.Receive(pair.Now, pair.B.EndPoint, initiation);
        Assert.Equal(SessionDropReason.InvalidMac1, pair.A.Drops[^1]);

        // IK response reflected to the responder.
        var response = pair.B.Receive(pair.Now, pair.A.EndPoint, initiation).Single().Packet;
        pair.B.Receive(pair.Now, pair.A.EndPoint, response);
        Assert.NotEmpty(pair.B.Drops);
        pair.A.Receive(pair.Now, pair.B.EndPoint, response);

        // Transport data reflected to its sender.
        var data = pair.A.Seal(pair.Now, pair.B, "secret");
        pair.A.Receive(pair.Now, pair.B.EndPoint, data);
        Assert.Contains(pair.A.Drops[^1], new[] { SessionDropReason.UnknownIndex, SessionDropReason.DecryptionFailed });

        // XX message 1 reflected to its sender.
        var xx = pair.A.InitiateXx(pair.Now, pair.B, "hi");
        Assert.Empty(pair.A.Receive(pair.Now, pair.B.EndPoint, xx));
        Assert.Equal(SessionDropReason.Reflection, pair.A.Drops[^1]);

        Assert.DoesNotContain(pair.A.Delivered, d => d.Outcome is DatagramOutcome.FirstRequest or DatagramOutcome.Data);
        Assert.Single(pair.B.Delivered);
    }

    [Fact]
    public void Initiating_to_our_own_key_is_refused()
    {
        using var node = new SessionTestNode(5, "10.0.0.9:1");
        var result = node.Manager.InitiateIk(SessionPair.Start, node.Key, node.EndPoint, "x"u8, new byte[1280]);
        Assert.Equal(SealStatus.InvalidPeerKey, result.Status);
    }

    [Fact]
    public void An_answer_larger_than_three_times_the_initiation_is_refused()
    {
        using var pair = new SessionPair();
        pair.B.AutoRespond = false;
        var buffer = new byte[1280];
        var sent = pair.A.Manager.InitiateIk(pair.Now, pair.B.Key, pair.B.EndPoint, "q"u8, buffer, expectedAnswerSize: 0);
        Assert.Equal(SealStatus.Sealed, sent.Status);
        Assert.Equal(PacketFormat.InitiationMinSize + 1, sent.Length);

        var result = pair.B.Manager.HandleDatagram(pair.Now, pair.A.EndPoint, buffer.AsSpan(0, sent.Length), buffer);
        Assert.Equal(DatagramOutcome.FirstRequest, result.Outcome);

        int limit = (3 * sent.Length) - PacketFormat.ResponseOverhead;
        Assert.Equal(SealStatus.AnswerTooLarge, pair.B.Manager.Respond(pair.Now, result.Handshake, new byte[limit + 1], buffer).Status);
        var answered = pair.B.Manager.Respond(pair.Now, result.Handshake, new byte[limit], buffer);
        Assert.Equal(SealStatus.Sealed, answered.Status);
        Assert.True(answered.Length <= 3 * sent.Length);
    }

    [Fact]
    public void Initiations_are_padded_so_the_largest_expected_answer_fits_the_3x_rule()
    {
        using var pair = new SessionPair();
        var initiation = pair.A.InitiateIk(pair.Now, pair.B, "q");
        Assert.True(3 * initiation.Length >= PacketFormat.MaxPacketSize);

        var response = pair.B.Receive(pair.Now, pair.A.EndPoint, initiation).Single().Packet;
        Assert.True(response.Length <= 3 * initiation.Length);
    }

    [Fact]
    public void Simultaneous_initiation_ends_with_one_working_session_and_both_requests_answered()
    {
        using var pair = new SessionPair(seed: 3);
        pair.Send(pair.A, pair.A.InitiateIk(pair.Now, pair.B, "from A"));
        pair.Send(pair.B, pair.B.InitiateIk(pair.Now, pair.A, "from B"));

        pair.Flush();

        // The lower key's initiation wins; the other side's request travels over the resulting session.
        var (low, high) = pair.A.Key < pair.B.Key ? (pair.A, pair.B) : (pair.B, pair.A);
        Assert.Contains(SessionDropReason.SimultaneousInitiation, low.Drops);
        Assert.Contains(high.Delivered, d => d.Outcome == DatagramOutcome.FirstRequest && d.Text == (low == pair.A ? "from A" : "from B"));
        Assert.Contains(low.Delivered, d => d.Outcome == DatagramOutcome.FirstAnswer);
        Assert.Contains(low.Delivered, d => d.Outcome == DatagramOutcome.Data && d.Text == (high == pair.A ? "from A" : "from B"));
        Assert.Equal(1, pair.A.Manager.SessionCount);
        Assert.Equal(1, pair.B.Manager.SessionCount);

        pair.Send(pair.A, pair.A.Seal(pair.Now, pair.B, "after"));
        pair.Send(pair.B, pair.B.Seal(pair.Now, pair.A, "after"));
        pair.Flush();
        Assert.Equal("after", pair.A.Delivered[^1].Text);
        Assert.Equal("after", pair.B.Delivered[^1].Text);
    }

    internal static SessionPair Established(int seed = 1)
    {
        var pair = new SessionPair(seed);
        pair.Send(pair.A, pair.A.InitiateIk(pair.Now, pair.B, "hello"));
        pair.Flush();
        Assert.True(pair.A.Manager.HasSession(pair.B.Key, pair.Now));
        return pair;
    }
}
