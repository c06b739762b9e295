using System.Collections.Immutable;
using System.Net;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Routing;
using Kademlia.Sessions;
using Kademlia.Wire;

namespace Kademlia.Tests.Engine;

/// <summary>
/// The 3x anti-amplification rule for every packet (PROTOCOL.md, "The rule covers every packet"): a
/// source that never proves its address gets at most three times what it sent, whatever the node holds.
/// </summary>
public sealed class AmplificationTests : IDisposable
{
    private static readonly NetworkParameters Network = NetworkParameters.Test;
    private static readonly IPEndPoint EngineEndPoint = new(IPAddress.Loopback, 4000);
    private readonly DateTimeOffset _start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly NodeIdentity _identity = NodeIdentity.Generate(Network);
    private readonly KademliaEngine _engine;
    private readonly List<RawPeer> _peers = [];

    public AmplificationTests() =>
        _engine = new KademliaEngine(_identity, new EngineOptions { Network = Network, AdvertisedEndpoint = NodeEndpoint.FromIPEndPoint(EngineEndPoint) });

    public void Dispose()
    {
        _engine.Dispose();
        _identity.Dispose();
        foreach (var peer in _peers)
        {
            peer.Dispose();
        }
    }

    [Fact]
    public void A_silent_initiator_receives_at_most_three_times_its_bytes_over_two_minutes_while_the_node_holds_ten_large_records()
    {
        for (var i = 0; i < 10; i++)
        {
            var value = new byte[1000];
            value[0] = (byte)i;
            Assert.Equal(StoreError.None, _engine.Store.Put(ImmutableRecord.Create(value), _engine.Self, _start, _start + TimeSpan.FromHours(1)));
        }

        var silent = NewPeer(6000);
        var buffer = new byte[PacketFormat.MaxPacketSize];
        var ping = MessageCodec.Encode(new PingRequest(1));
        var initiation = silent.Manager.InitiateIk(_start, new PeerKey(_engine.Identity.PublicKey), EngineEndPoint, ping, buffer, expectedAnswerSize: 64);
        Assert.Equal(SealStatus.Sealed, initiation.Status);
        _engine.HandleDatagram(_start, silent.EndPoint, buffer.AsSpan(0, initiation.Length));

        // The silent peer never answers: everything the engine sends it is counted, nothing returned.
        long received = 0;
        var packets = 0;
        var now = _start;
        var end = _start + TimeSpan.FromMinutes(2);
        for (var steps = 0; steps < 100_000 && now <= end; steps++)
        {
            while (_engine.PollTransmit(out var transmit))
            {
                if (transmit.Destination.Equals(silent.EndPoint))
                {
                    received += transmit.Packet.Length;
                    packets++;
                }
            }

            var next = _engine.NextTimeout() ?? end;
            now = next > now ? next : now + TimeSpan.FromMilliseconds(1);
            _engine.HandleTimeout(now);
        }

        Assert.True(packets >= 1, "the PING in the initiation is answered");
        Assert.InRange(received, 1, PacketFormat.AmplificationFactor * initiation.Length);
        Assert.Null(_engine.Routing.Find(silent.Identity.Id));
    }

    [Fact]
    public void A_find_node_in_a_small_initiation_is_answered_with_the_contacts_that_fit_three_times_its_size()
    {
        for (var i = 0; i < 24; i++)
        {
            NewPeer(7000 + i).Join(_engine, EngineEndPoint, _start, (ulong)(100 + (2 * i)));
        }

        Assert.True(_engine.Routing.Count >= 20);
        var asker = NewPeer(6001);
        var buffer = new byte[PacketFormat.MaxPacketSize];
        var find = MessageCodec.Encode(new FindNodeRequest(7, NodeId.Hash("target"u8)));
        // A client padding only for a small answer, as an implementation written from the spec may do.
        var initiation = asker.Manager.InitiateIk(_start, new PeerKey(_engine.Identity.PublicKey), EngineEndPoint, find, buffer, expectedAnswerSize: 0);
        Assert.Equal(SealStatus.Sealed, initiation.Status);
        Assert.True(initiation.Length < 240);
        _engine.HandleDatagram(_start, asker.EndPoint, buffer.AsSpan(0, initiation.Length));

        var sent = 0;
        var answers = new List<Message>();
        while (_engine.PollTransmit(out var transmit))
        {
            Assert.Equal(asker.EndPoint, transmit.Destination);
            sent += transmit.Packet.Length;
            var result = asker.Manager.HandleDatagram(_start, EngineEndPoint, transmit.Packet, buffer);
            Assert.Equal(DatagramOutcome.FirstAnswer, result.Outcome);
            Assert.Equal(DecodeError.None, MessageCodec.TryRead(buffer.AsSpan(0, result.Length), out var message));
            answers.Add(message!);
        }

        var nodes = Assert.IsType<NodesResponse>(Assert.Single(answers));
        Assert.InRange(nodes.Contacts.Length, 1, 19); // trimmed, not refused
        Assert.True(sent <= PacketFormat.AmplificationFactor * initiation.Length);
        var expected = _engine.Routing.FindClosest(NodeId.Hash("target"u8), nodes.Contacts.Length).Select(c => c.Id);
        Assert.Equal(expected, nodes.Contacts.Select(c => c.ToNodeInfo().Id)); // the closest are kept
        Assert.Null(_engine.Routing.Find(asker.Identity.Id));
    }

    [Fact]
    public void A_proven_newcomer_among_the_closest_is_handed_the_records_it_should_hold()
    {
        var value = new byte[1000];
        var record = ImmutableRecord.Create(value);
        _engine.Store.Put(record, _engine.Self, _start, _start + TimeSpan.FromHours(1));
        var peer = NewPeer(6002);

        Assert.IsType<PongResponse>(peer.Ask(_engine, EngineEndPoint, _start, new PingRequest(1)));
        Assert.Empty(peer.Collect(_engine, EngineEndPoint, _start)); // unproven: no push

        peer.Answer(_engine, _start, new PingRequest(2)); // a request on the session proves the address
        var messages = DrainTo(peer, _start + TimeSpan.FromSeconds(5));
        Assert.Contains(messages, m => m is PongResponse { RequestId: 2 });
        Assert.Contains(messages, m => m is PutRequest put && put.Record.Key == record.Key);
    }

    [Fact]
    public void One_request_to_a_new_peer_is_enough_for_both_tables_because_the_initiator_confirms_with_a_keepalive()
    {
        using var otherIdentity = NodeIdentity.Generate(Network);
        var otherEndPoint = new IPEndPoint(IPAddress.Loopback, 4100);
        using var other = new KademliaEngine(otherIdentity, new EngineOptions { Network = Network, AdvertisedEndpoint = NodeEndpoint.FromIPEndPoint(otherEndPoint) });
        other.Ping(_start, _engine.LocalInfo);

        var keepalives = 0;
        for (var round = 0; round < 10; round++)
        {
            while (other.PollTransmit(out var toEngine))
            {
                keepalives += toEngine.Packet.Length == PacketFormat.TransportOverhead ? 1 : 0;
                _engine.HandleDatagram(_start, otherEndPoint, toEngine.Packet);
            }

            while (_engine.PollTransmit(out var toOther))
            {
                other.HandleDatagram(_start, EngineEndPoint, toOther.Packet);
            }
        }

        Assert.Equal(1, keepalives);
        Assert.NotNull(other.Routing.Find(_engine.Self));
        Assert.NotNull(_engine.Routing.Find(other.Self)); // proven by the keepalive, not by the initiation
    }

    [Fact]
    public void A_contact_that_never_answers_gets_one_initiation_per_request_not_90_seconds_of_retries()
    {
        // As when a malicious NODES answer points a lookup at a victim: nothing of ours waits after the
        // request's timeout, so the session layer must not go on retrying the handshake.
        var silent = NewPeer(6003);
        var query = _engine.Ping(_start, silent.Info);
        var initiations = 0;
        var now = _start;
        var end = _start + TimeSpan.FromSeconds(90);
        for (var steps = 0; steps < 10_000 && now <= end; steps++)
        {
            while (_engine.PollTransmit(out var transmit))
            {
                initiations += transmit.Destination.Equals(silent.EndPoint) && transmit.Packet[1] == (byte)PacketType.IkInitiation ? 1 : 0;
            }

            var next = _engine.NextTimeout() ?? end;
            now = next > now ? next : now + TimeSpan.FromMilliseconds(1);
            _engine.HandleTimeout(now);
        }

        // The ping's own attempts, each in one initiation; the session layer adds no retries of its own
        // (18 initiations in 90 s before the fix).
        Assert.Equal(_engine.Statistics.RequestsSent, initiations);
        Assert.InRange(initiations, 1, 3);
        Assert.NotEqual(default, query);
    }

    [Fact]
    public void Forged_nodes_answers_pointing_lookups_at_one_victim_network_spend_its_initiation_budget_not_one_initiation_per_contact()
    {
        // A hostile peer of the table answers every FIND_NODE with 20 contacts, all in 203.0.113.0/24 (a
        // victim network that never answers). Two lookups through it: before the per-prefix budget, each
        // of the 40 contacts got an initiation (and, before handshake retries stopped with their request,
        // 18 each: the 360 of the attack report).
        var hostile = NewPeer(6004);
        hostile.Join(_engine, EngineEndPoint, _start, 300);
        Assert.NotNull(_engine.Routing.Find(hostile.Identity.Id));
        var victims = Enumerable.Range(1, 20)
            .Select(i => WireContact.FromNodeInfo(NodeInfo.Of(NodeIdentity.Generate(Network), NodeEndpoint.FromIPEndPoint(new IPEndPoint(IPAddress.Parse($"203.0.113.{i}"), 4000)))))
            .ToImmutableArray();

        var lookups = new[] { _engine.FindNode(_start, NodeId.Hash("first"u8)), _engine.FindNode(_start + TimeSpan.FromSeconds(1), NodeId.Hash("second"u8)) };
        var finished = new HashSet<QueryId>();
        var toVictims = 0;
        var now = _start;
        var end = _start + TimeSpan.FromMinutes(2);
        for (var steps = 0; steps < 100_000 && now <= end; steps++)
        {
            while (_engine.PollTransmit(out var transmit))
            {
                if (transmit.Destination.Equals(hostile.EndPoint))
                {
                    if (hostile.Receive(_engine, EngineEndPoint, now, transmit.Packet) is FindNodeRequest find)
                    {
                        hostile.Answer(_engine, now, new NodesResponse(find.RequestId, victims));
                    }
                }
                else if (transmit.Destination is IPEndPoint ip && ip.Address.ToString().StartsWith("203.0.113.", StringComparison.Ordinal))
                {
                    toVictims++;
                }
            }

            while (_engine.PollEvent(out var engineEvent))
            {
                if (engineEvent is QueryFinished done)
                {
                    finished.Add(done.Query);
                }
            }

            var next = _engine.NextTimeout() ?? end;
            now = next > now ? next : now + TimeSpan.FromMilliseconds(1);
            _engine.HandleTimeout(now);
        }

        Assert.Subset(finished, lookups.ToHashSet()); // the lookups end: refused first contacts fail at once
        Assert.True(_engine.Statistics.Drops.GetValueOrDefault("engine.InitiationBudget") > 0, "the budget refused some first contacts");
        // The burst (4) and what the rate (0.5/s) refills while the lookups run: not 40.
        Assert.InRange(toVictims, 1, 12);
    }

    [Fact]
    public void A_peer_that_roams_to_a_forged_source_gets_answers_there_only_within_three_times_until_it_answers_a_challenge_from_there()
    {
        // An authenticated peer sends GETs for a 1,000-byte value with a victim's address as their source
        // (WireGuard's roaming would move the session there). Before: answers went to the victim at 14.4x.
        var record = ImmutableRecord.Create(new byte[1000]);
        _engine.Store.Put(record, _engine.Self, _start, _start + TimeSpan.FromHours(1));
        var peer = NewPeer(6005);
        peer.Join(_engine, EngineEndPoint, _start, 400);
        var victim = new IPEndPoint(IPAddress.Parse("198.51.100.7"), 4000);
        var key = new PeerKey(_engine.Identity.PublicKey);
        var buffer = new byte[PacketFormat.MaxPacketSize];

        long fromVictim = 0, toVictim = 0;
        var now = _start;
        for (var i = 0; i < 200; i++)
        {
            now += TimeSpan.FromMilliseconds(50);
            var sealedGet = peer.Manager.SealTo(now, key, MessageCodec.Encode(new GetRequest((ulong)(1000 + i), record.Key, RecordKind.Immutable)), buffer);
            Assert.Equal(SealStatus.Sealed, sealedGet.Status);
            _engine.HandleDatagram(now, victim, buffer.AsSpan(0, sealedGet.Length));
            fromVictim += sealedGet.Length;
            while (_engine.PollTransmit(out var transmit))
            {
                toVictim += transmit.Destination.Equals(victim) ? transmit.Packet.Length : 0;
            }

            _engine.HandleTimeout(now);
        }

        Assert.True(toVictim > 0, "the challenge goes to the new address");
        Assert.InRange(toVictim, 1, PacketFormat.AmplificationFactor * fromVictim);

        // The honest case: the peer really moved to another address (another network). It answers the
        // challenge from there, the address is then proven, and a large answer goes there.
        var moved = new IPEndPoint(IPAddress.Parse("127.0.0.2"), 6105);
        now += TimeSpan.FromSeconds(1);
        var get = peer.Manager.SealTo(now, key, MessageCodec.Encode(new GetRequest(5000, record.Key, RecordKind.Immutable)), buffer);
        _engine.HandleDatagram(now, moved, buffer.AsSpan(0, get.Length));
        var answered = false;
        for (var round = 0; round < 5 && !answered; round++)
        {
            var toMoved = new List<byte[]>();
            while (_engine.PollTransmit(out var transmit))
            {
                if (transmit.Destination.Equals(moved))
                {
                    toMoved.Add(transmit.Packet);
                }
            }

            foreach (var packet in toMoved)
            {
                switch (peer.Receive(_engine, EngineEndPoint, now, packet))
                {
                    case PingRequest challenge:
                        var pong = peer.Manager.SealTo(now, key, MessageCodec.Encode(new PongResponse(challenge.RequestId, NodeEndpoint.FromIPEndPoint(moved))), buffer);
                        _engine.HandleDatagram(now, moved, buffer.AsSpan(0, pong.Length));
                        break;
                    case ValueResponse { RequestId: 5001 }:
                        answered = true;
                        break;
                }
            }

            // Asked again once the path is proven (a client retries an unanswered request).
            var retry = peer.Manager.SealTo(now, key, MessageCodec.Encode(new GetRequest(5001, record.Key, RecordKind.Immutable)), buffer);
            _engine.HandleDatagram(now, moved, buffer.AsSpan(0, retry.Length));
        }

        Assert.True(answered, "after answering the challenge from its new address, the peer gets its value there");

        // A NAT rebinding (same address, new port) needs no challenge: the value goes to the new port at once.
        var rebound = new IPEndPoint(IPAddress.Parse("127.0.0.2"), 6205);
        peer.Collect(_engine, EngineEndPoint, now); // what the last round left for the old port
        now += TimeSpan.FromSeconds(1);
        var afterRebinding = peer.Manager.SealTo(now, key, MessageCodec.Encode(new GetRequest(6000, record.Key, RecordKind.Immutable)), buffer);
        _engine.HandleDatagram(now, rebound, buffer.AsSpan(0, afterRebinding.Length));
        var messages = new List<Message>();
        while (_engine.PollTransmit(out var transmit))
        {
            Assert.Equal(rebound, transmit.Destination);
            if (peer.Receive(_engine, EngineEndPoint, now, transmit.Packet) is { } message)
            {
                messages.Add(message);
            }
        }

        Assert.Contains(messages, m => m is ValueResponse { RequestId: 6000 });
        Assert.DoesNotContain(messages, m => m is PingRequest);
    }

    private List<Message> DrainTo(RawPeer peer, DateTimeOffset until)
    {
        var messages = new List<Message>();
        var now = _start;
        for (var steps = 0; steps < 1000 && now <= until; steps++)
        {
            messages.AddRange(peer.Collect(_engine, EngineEndPoint, now));
            var next = _engine.NextTimeout() ?? until;
            now = next > now ? next : now + TimeSpan.FromMilliseconds(1);
            _engine.HandleTimeout(now);
        }

        return messages;
    }

    private RawPeer NewPeer(int port)
    {
        var peer = new RawPeer(NodeIdentity.Generate(Network), Network.NetworkId, port);
        _peers.Add(peer);
        return peer;
    }
}
