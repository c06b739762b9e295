using System.Net;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Routing;
using Kademlia.Sessions;
using Kademlia.Wire;

namespace Kademlia.Tests.Engine;

/// <summary>
/// docs/PROTOCOL.md, "Application messages": two engines (or an engine and a hand-driven peer) in virtual
/// time exchanging app datagrams, requests and their applications' answers.
/// </summary>
public sealed class AppMessageTests : IDisposable
{
    private static readonly NetworkParameters Network = NetworkParameters.Test;
    private static readonly IPEndPoint EndPointA = new(IPAddress.Loopback, 4000);
    private static readonly IPEndPoint EndPointB = new(IPAddress.Loopback, 4001);
    private readonly DateTimeOffset _start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly NodeIdentity _identityA = NodeIdentity.Generate(Network);
    private readonly NodeIdentity _identityB = NodeIdentity.Generate(Network);
    private readonly KademliaEngine _a;
    private readonly KademliaEngine _b;
    private readonly List<RawPeer> _peers = [];
    private readonly List<EngineEvent> _eventsA = [];
    private readonly List<EngineEvent> _eventsB = [];
    private readonly List<Transmit> _fromB = [];

    public AppMessageTests()
    {
        _a = NewEngine(_identityA, EndPointA);
        _b = NewEngine(_identityB, EndPointB, new EngineOptions { AppMessagesPerSecondPerPeer = 10, AppMessageBurstPerPeer = 20 });
    }

    /// <summary>When false, what B sends is lost.</summary>
    private bool DeliverFromB { get; set; } = true;

    private IEnumerable<AppMessageReceived> ReceivedByB => _eventsB.OfType<AppMessageReceived>();

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
        _identityA.Dispose();
        _identityB.Dispose();
        foreach (var peer in _peers)
        {
            peer.Dispose();
        }
    }

    [Fact]
    public void A_datagram_to_a_new_peer_rides_in_the_handshake_and_arrives_with_the_senders_verified_identity()
    {
        _b.OpenAppChannel("chat");

        _a.SendAppDatagram(_start, _b.LocalInfo, "chat", "hello"u8);
        Exchange(_start);

        var received = Assert.Single(ReceivedByB);
        Assert.Equal(_a.LocalInfo, received.From); // its ID, key, proof-of-work nonce and endpoint
        Assert.Equal("chat", received.Channel);
        Assert.Equal("hello"u8.ToArray(), received.Payload.ToArray());
        Assert.False(received.ExpectsReply);
        // B answered nothing: its one packet is the IK response that completes the handshake, empty.
        var response = Assert.Single(_fromB);
        Assert.Equal(PacketFormat.ResponseOverhead, response.Packet.Length);
        Assert.Equal(0, _a.Statistics.TotalDrops);
        Assert.Equal(0, _b.Statistics.TotalDrops);
        Assert.Equal(1, _a.Statistics.AppMessagesSent);
        Assert.Equal(1, _b.Statistics.AppMessagesDelivered);
    }

    [Fact]
    public void A_request_is_answered_by_the_peer_application_on_the_session_the_empty_handshake_response_opened()
    {
        _b.OpenAppChannel("lobby/1");
        var query = _a.SendAppRequest(_start, _b.LocalInfo, "lobby/1", "join table 7"u8, TimeSpan.FromSeconds(2));
        Exchange(_start);

        var request = Assert.Single(ReceivedByB);
        Assert.True(request.ExpectsReply);
        Assert.Equal("join table 7"u8.ToArray(), request.Payload.ToArray());
        Assert.Null(Finished(query));

        var later = _start + TimeSpan.FromMilliseconds(300);
        Assert.True(_b.ReplyApp(later, request.From, request.RequestId, "seat 3"u8));
        Exchange(later);

        var result = Assert.IsType<AppRequestResult>(Finished(query)!.Result);
        Assert.True(result.Succeeded);
        Assert.Equal("seat 3"u8.ToArray(), result.Response.ToArray());
        Assert.Null(result.Refusal);
        Assert.Equal(TimeSpan.FromMilliseconds(300), result.Rtt);
        Assert.Equal(1, result.MessagesSent);
        // One answer per request: a second one, or one to a request never received, is refused.
        Assert.False(_b.ReplyApp(later, request.From, request.RequestId, "seat 4"u8));
        Assert.False(_b.ReplyApp(later, request.From, request.RequestId + 1, "seat 4"u8));
        Assert.False(_b.PollTransmit(out _));
    }

    [Fact]
    public void A_request_to_a_channel_nobody_receives_on_is_refused_NO_SUCH_CHANNEL_and_not_retried()
    {
        _b.OpenAppChannel("lobby/1");
        var query = _a.SendAppRequest(_start, _b.LocalInfo, "lobby/2", "join"u8, TimeSpan.FromSeconds(1), retries: 3);
        Exchange(_start);

        var result = Assert.IsType<AppRequestResult>(Finished(query)!.Result);
        Assert.False(result.Succeeded);
        Assert.Equal(ErrorCode.NoSuchChannel, result.Refusal);
        Assert.Equal(1, result.MessagesSent);
        Assert.Empty(ReceivedByB);
        Assert.Equal(1, _b.Statistics.Drops.GetValueOrDefault("engine.NoSuchChannel"));
    }

    [Fact]
    public void A_datagram_to_a_channel_nobody_receives_on_is_dropped_and_answered_by_nothing()
    {
        _b.OpenAppChannel("chat");
        _a.SendAppDatagram(_start, _b.LocalInfo, "chat", "open the session"u8);
        Exchange(_start);
        _fromB.Clear();

        _b.CloseAppChannel("chat");
        _a.SendAppDatagram(_start, _b.LocalInfo, "chat", "anyone?"u8);
        _a.SendAppDatagram(_start, _b.LocalInfo, "other", "anyone?"u8);
        Exchange(_start);

        Assert.Single(ReceivedByB);
        Assert.Empty(_fromB);
        Assert.Equal(2, _b.Statistics.Drops.GetValueOrDefault("engine.NoSuchChannel"));
    }

    [Fact]
    public void An_unanswered_request_is_sent_again_with_the_same_id_delivered_once_and_fails_after_the_last_attempt_without_costing_the_peer()
    {
        _b.OpenAppChannel("slow");
        var query = _a.SendAppRequest(_start, _b.LocalInfo, "slow", "think"u8, TimeSpan.FromSeconds(1), retries: 2);

        var end = Run(_start, _start + TimeSpan.FromSeconds(10), () => Finished(query) is not null);

        var result = Assert.IsType<AppRequestResult>(Finished(query)!.Result);
        Assert.False(result.Succeeded);
        Assert.Null(result.Refusal);
        Assert.Equal(3, result.MessagesSent);
        Assert.Equal(TimeSpan.FromSeconds(3), result.Duration);
        Assert.Equal(_start + TimeSpan.FromSeconds(3), end);
        Assert.Single(ReceivedByB); // the copies found the first still waiting for its answer
        Assert.Equal(2, _b.Statistics.Drops.GetValueOrDefault("engine.AppDuplicate"));
        // The application's silence is not the node's: B keeps its place in A's table, unblemished.
        Assert.Equal(0, _a.Routing.Find(_b.Self)!.ConsecutiveFailures);
    }

    [Fact]
    public void An_answer_to_an_earlier_attempt_completes_the_request_after_a_retry()
    {
        _b.OpenAppChannel("slow");
        var query = _a.SendAppRequest(_start, _b.LocalInfo, "slow", "think"u8, TimeSpan.FromSeconds(1), retries: 2);
        Run(_start, _start + TimeSpan.FromSeconds(1.5), () => false);
        var request = Assert.Single(ReceivedByB);

        var late = _start + TimeSpan.FromSeconds(1.5);
        Assert.True(_b.ReplyApp(late, request.From, request.RequestId, "done"u8));
        Exchange(late);

        var result = Assert.IsType<AppRequestResult>(Finished(query)!.Result);
        Assert.True(result.Succeeded);
        Assert.Equal("done"u8.ToArray(), result.Response.ToArray());
        Assert.Equal(2, result.MessagesSent);
    }

    [Fact]
    public void A_request_too_large_for_the_first_handshake_message_follows_the_session_a_ping_opens()
    {
        _b.OpenAppChannel("bulk");
        var payload = Enumerable.Range(0, WireLimits.MaxAppPayload).Select(i => (byte)i).ToArray();
        Assert.True(9 + 1 + 4 + 2 + payload.Length > PacketFormat.MaxInitiationRequest);

        var query = _a.SendAppRequest(_start, _b.LocalInfo, "bulk", payload, TimeSpan.FromSeconds(2));
        Exchange(_start);
        var request = Assert.Single(ReceivedByB);
        Assert.Equal(payload, request.Payload.ToArray());
        Assert.True(_b.ReplyApp(_start, request.From, request.RequestId, payload));
        Exchange(_start);

        var result = Assert.IsType<AppRequestResult>(Finished(query)!.Result);
        Assert.Equal(payload, result.Response.ToArray());
    }

    [Fact]
    public void A_datagram_brought_again_by_a_resent_initiation_is_delivered_once()
    {
        _b.OpenAppChannel("chat");
        DeliverFromB = false; // B's IK response is lost: A sends its initiation again 5 s later
        _a.SendAppDatagram(_start, _b.LocalInfo, "chat", "once"u8);
        Exchange(_start);
        DeliverFromB = true;

        Run(_start, _start + TimeSpan.FromSeconds(6), () => false);

        Assert.Single(ReceivedByB);
        Assert.Equal(1, _b.Statistics.Drops.GetValueOrDefault("engine.AppDuplicate"));
    }

    [Fact]
    public void App_messages_beyond_a_peers_rate_are_dropped_or_refused_RATE_LIMITED()
    {
        _b.OpenAppChannel("spam");
        var peer = NewPeer(5000);
        Assert.IsType<PongResponse>(peer.Ask(_b, EndPointB, _start, new PingRequest(1)));

        for (var i = 0; i < 25; i++)
        {
            peer.Send(_b, EndPointB, _start, new AppDatagram(100 + (ulong)i, "spam", [(byte)i]));
        }

        Assert.Empty(peer.Collect(_b, EndPointB, _start)); // datagrams are never answered, not even refused
        var refused = Assert.IsType<ErrorResponse>(peer.Ask(_b, EndPointB, _start, new AppRequest(200, "spam", "let me in"u8)));
        Assert.Equal(ErrorCode.RateLimited, refused.Code);
        Assert.Equal(20, DrainEvents(_b).OfType<AppMessageReceived>().Count()); // the burst
        Assert.Equal(6, _b.Statistics.Drops.GetValueOrDefault("engine.AppRateLimited"));

        var second = _start + TimeSpan.FromSeconds(1); // 10 tokens a second
        for (var i = 0; i < 12; i++)
        {
            peer.Send(_b, EndPointB, second, new AppDatagram(300 + (ulong)i, "spam", []));
        }

        Assert.Equal(10, DrainEvents(_b).OfType<AppMessageReceived>().Count());
    }

    [Fact]
    public void The_answer_to_a_first_contact_request_from_an_unproven_address_stays_within_three_times_its_bytes()
    {
        _b.OpenAppChannel("big");
        var peer = NewPeer(5001);
        var buffer = new byte[PacketFormat.MaxPacketSize];
        var request = new AppRequest(7, "big", "give me everything"u8);
        // Padded only for a small answer, and the peer never sends a transport packet: its address stays unproven.
        var initiation = peer.Manager.InitiateIk(_start, new PeerKey(_b.Identity.PublicKey), EndPointB, MessageCodec.Encode(request), buffer, expectedAnswerSize: 0);
        Assert.Equal(SealStatus.Sealed, initiation.Status);
        _b.HandleDatagram(_start, peer.EndPoint, buffer.AsSpan(0, initiation.Length));
        var delivered = Assert.Single(DrainEvents(_b).OfType<AppMessageReceived>());

        var largest = new byte[WireLimits.MaxAppPayload];
        Assert.True(_b.ReplyApp(_start, delivered.From, delivered.RequestId, largest));

        var sent = 0;
        var messages = new List<Message>();
        while (_b.PollTransmit(out var transmit))
        {
            sent += transmit.Packet.Length;
            if (peer.Receive(_b, EndPointB, _start, transmit.Packet) is { } message)
            {
                messages.Add(message);
            }
        }

        Assert.InRange(sent, 1, PacketFormat.AmplificationFactor * initiation.Length);
        var error = Assert.IsType<ErrorResponse>(Assert.Single(messages));
        Assert.Equal(ErrorCode.AnswerTooLarge, error.Code);
        Assert.Equal(7UL, error.RequestId);

        // Asked again on the session, which proves the address, the same request gets the whole answer.
        peer.Send(_b, EndPointB, _start, request);
        var again = Assert.Single(DrainEvents(_b).OfType<AppMessageReceived>());
        Assert.True(_b.ReplyApp(_start, again.From, again.RequestId, largest));
        var answer = Assert.IsType<AppResponse>(Assert.Single(peer.Collect(_b, EndPointB, _start)));
        Assert.Equal(largest, answer.Payload.ToArray());
    }

    [Fact]
    public void An_undecodable_datagram_is_not_answered_but_a_request_is()
    {
        var peer = NewPeer(5002);
        Assert.IsType<PongResponse>(peer.Ask(_b, EndPointB, _start, new PingRequest(1)));
        var key = new PeerKey(_b.Identity.PublicKey);
        var buffer = new byte[PacketFormat.MaxPacketSize];
        foreach (var type in new byte[] { 0x0B, 0x0A })
        {
            // A channel name with a space in it.
            byte[] plaintext = [type, 0, 0, 0, 0, 0, 0, 0, 9, 2, (byte)'a', (byte)' ', 0, 0];
            var packet = peer.Manager.SealTo(_start, key, plaintext, buffer);
            _b.HandleDatagram(_start, peer.EndPoint, buffer.AsSpan(0, packet.Length));
        }

        var error = Assert.IsType<ErrorResponse>(Assert.Single(peer.Collect(_b, EndPointB, _start)));
        Assert.Equal(ErrorCode.MalformedRequest, error.Code);
    }

    private static KademliaEngine NewEngine(NodeIdentity identity, IPEndPoint endPoint, EngineOptions? options = null) =>
        new(identity, (options ?? new EngineOptions()) with
        {
            Network = Network,
            AdvertisedEndpoint = NodeEndpoint.FromIPEndPoint(endPoint),
            Mode = NodeMode.Server,
            DiscoverReachability = false,
        });

    private static List<EngineEvent> DrainEvents(KademliaEngine engine)
    {
        var events = new List<EngineEvent>();
        while (engine.PollEvent(out var engineEvent))
        {
            events.Add(engineEvent!);
        }

        return events;
    }

    private QueryFinished? Finished(QueryId query) => _eventsA.OfType<QueryFinished>().SingleOrDefault(f => f.Query == query);

    /// <summary>Delivers what each engine sends to the other until both are quiet.</summary>
    private void Exchange(DateTimeOffset now)
    {
        for (var round = 0; round < 20; round++)
        {
            var moved = false;
            while (_a.PollTransmit(out var toB))
            {
                moved = true;
                _b.HandleDatagram(now, EndPointA, toB.Packet);
            }

            while (_b.PollTransmit(out var toA))
            {
                moved = true;
                _fromB.Add(toA);
                if (DeliverFromB)
                {
                    _a.HandleDatagram(now, EndPointB, toA.Packet);
                }
            }

            _eventsA.AddRange(DrainEvents(_a));
            _eventsB.AddRange(DrainEvents(_b));
            if (!moved)
            {
                return;
            }
        }
    }

    /// <summary>Runs both engines in virtual time until <paramref name="until"/> or <paramref name="done"/>; returns the time it stopped at.</summary>
    private DateTimeOffset Run(DateTimeOffset now, DateTimeOffset until, Func<bool> done)
    {
        Exchange(now);
        for (var steps = 0; steps < 10_000 && !done(); steps++)
        {
            var next = Earliest(_a.NextTimeout(), _b.NextTimeout());
            if (next is not { } at || at > until)
            {
                return until;
            }

            now = at > now ? at : now;
            _a.HandleTimeout(now);
            _b.HandleTimeout(now);
            Exchange(now);
        }

        return now;
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? x, DateTimeOffset? y) => x is null ? y : y is null ? x : x < y ? x : y;

    private RawPeer NewPeer(int port)
    {
        var peer = new RawPeer(NodeIdentity.Generate(Network), Network.NetworkId, port);
        _peers.Add(peer);
        return peer;
    }
}
