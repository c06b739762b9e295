using System.Net;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Routing;
using Kademlia.Wire;

namespace Kademlia.Tests.Engine;

public sealed class KademliaEngineTests : IDisposable
{
    private static readonly NetworkParameters Network = NetworkParameters.Test;
    private static readonly IPEndPoint EngineEndPoint = new(IPAddress.Loopback, 4000);
    private readonly DateTimeOffset _now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly NodeIdentity _identity = NodeIdentity.Generate(Network);
    private readonly KademliaEngine _engine;
    private readonly RawPeer _peer = new(NodeIdentity.Generate(Network), Network.NetworkId, 5000);

    public KademliaEngineTests() =>
        _engine = new KademliaEngine(_identity, new EngineOptions { Network = Network, AdvertisedEndpoint = NodeEndpoint.FromIPEndPoint(EngineEndPoint) });

    public void Dispose()
    {
        _engine.Dispose();
        _identity.Dispose();
        _peer.Dispose();
    }

    private static ulong Id(int n) => 0x1000UL + (ulong)n;

    [Fact]
    public void A_first_request_is_answered_in_the_handshake_and_the_peer_enters_the_table_once_its_address_is_proven()
    {
        var pong = Assert.IsType<PongResponse>(_peer.Ask(_engine, EngineEndPoint, _now, new PingRequest(Id(1))));
        Assert.Equal(NodeEndpoint.FromIPEndPoint(_peer.EndPoint), pong.ObservedEndpoint);
        Assert.Null(_engine.Routing.Find(_peer.Identity.Id)); // the source of an initiation may be forged
        Assert.IsType<PongResponse>(_peer.Ask(_engine, EngineEndPoint, _now, new PingRequest(Id(13))));
        Assert.NotNull(_engine.Routing.Find(_peer.Identity.Id)); // a transport packet proves the address
    }

    [Fact]
    public void A_put_with_a_forged_signature_is_refused_and_nothing_is_stored()
    {
        var genuine = MutableRecord.Create(_peer.Identity, "s"u8, 5, "original"u8);
        var forged = new MutableRecord(genuine.Publisher, genuine.Salt.Span, genuine.Sequence, "tampered"u8, genuine.Signature.Span);
        var answer = Assert.IsType<PutResultResponse>(_peer.Ask(_engine, EngineEndPoint, _now, new PutRequest(Id(2), forged, 3600)));
        Assert.Equal(PutStatus.InvalidSignature, answer.Status);
        Assert.Null(_engine.Store.Get(genuine.Key, _now));
    }

    [Fact]
    public void A_put_cannot_roll_a_mutable_record_back_to_an_older_sequence()
    {
        var newer = MutableRecord.Create(_peer.Identity, "s"u8, 9, "newer"u8);
        var older = MutableRecord.Create(_peer.Identity, "s"u8, 3, "older"u8);
        Assert.Equal(PutStatus.Stored, Assert.IsType<PutResultResponse>(_peer.Ask(_engine, EngineEndPoint, _now, new PutRequest(Id(3), newer, 3600))).Status);
        Assert.Equal(PutStatus.StaleSequence, Assert.IsType<PutResultResponse>(_peer.Ask(_engine, EngineEndPoint, _now, new PutRequest(Id(4), older, 3600))).Status);
        Assert.Equal(9UL, ((MutableRecord)_engine.Store.Get(newer.Key, _now)!.Record).Sequence);
    }

    [Fact]
    public void A_compare_and_swap_on_the_wrong_sequence_is_refused()
    {
        var first = MutableRecord.Create(_peer.Identity, [], 1, "a"u8);
        var second = MutableRecord.Create(_peer.Identity, [], 2, "b"u8);
        _peer.Ask(_engine, EngineEndPoint, _now, new PutRequest(Id(5), first, 3600));
        var refused = Assert.IsType<PutResultResponse>(_peer.Ask(_engine, EngineEndPoint, _now, new PutRequest(Id(6), second, 3600, expectedSequence: 7)));
        Assert.Equal(PutStatus.CasMismatch, refused.Status);
        var accepted = Assert.IsType<PutResultResponse>(_peer.Ask(_engine, EngineEndPoint, _now, new PutRequest(Id(7), second, 3600, expectedSequence: 1)));
        Assert.Equal(PutStatus.Stored, accepted.Status);
    }

    [Fact]
    public void An_answer_to_no_request_is_dropped_and_counted()
    {
        _peer.Ask(_engine, EngineEndPoint, _now, new PingRequest(Id(8)));
        _peer.Answer(_engine, _now, new PongResponse(0xDEAD, NodeEndpoint.FromIPEndPoint(EngineEndPoint)));
        Assert.Equal(1, _engine.Statistics.Drops.GetValueOrDefault("engine.UnsolicitedResponse"));
    }

    [Fact]
    public void A_peer_whose_proof_of_work_fails_is_refused_and_never_enters_the_table()
    {
        var strictNetwork = Network with { DynamicDifficulty = 5 };
        using var strictIdentity = NodeIdentity.Generate(strictNetwork);
        using var strict = new KademliaEngine(strictIdentity, new EngineOptions { Network = strictNetwork });
        using var weak = WeakIdentity(strictNetwork);
        using var peer = new RawPeer(weak, Network.NetworkId, 5001);
        Assert.Null(peer.Ask(strict, EngineEndPoint, _now, new PingRequest(Id(9))));
        Assert.Null(strict.Routing.Find(weak.Id));
        // Refused by the session layer, before any peer state exists for the key.
        Assert.Equal(1, strict.Statistics.Drops.GetValueOrDefault("session.IdentityRefused"));
    }

    [Fact]
    public void A_get_answered_with_a_value_that_does_not_match_the_key_fails_and_costs_the_liar_reputation()
    {
        _peer.Join(_engine, EngineEndPoint, _now, Id(10)); // the liar enters the table
        var key = ImmutableRecord.KeyOf("the real value"u8);
        var query = _engine.Get(_now, key, RecordKind.Immutable);
        var get = Assert.IsType<GetRequest>(Assert.Single(_peer.Collect(_engine, EngineEndPoint, _now)));

        _peer.Answer(_engine, _now, new ValueResponse(get.RequestId, ImmutableRecord.Create("a forged value"u8), []));

        var finished = DrainFinished(query);
        var result = Assert.IsType<GetResult>(finished.Result);
        Assert.False(result.Succeeded);
        Assert.True(_engine.Routing.Find(_peer.Identity.Id)!.Reputation < 0);
        Assert.True(_engine.Statistics.Drops.GetValueOrDefault("engine.InvalidAnswer") > 0);
    }

    [Fact]
    public void Contacts_that_fail_proof_of_work_in_an_answer_are_not_followed()
    {
        var strictNetwork = Network with { DynamicDifficulty = 6 };
        using var strictIdentity = NodeIdentity.Generate(strictNetwork);
        using var strict = new KademliaEngine(strictIdentity, new EngineOptions { Network = strictNetwork });
        using var honest = new RawPeer(NodeIdentity.Generate(strictNetwork), strictNetwork.NetworkId, 5002);
        honest.Join(strict, EngineEndPoint, _now, Id(11));
        var query = strict.FindNode(_now, NodeId.Hash("target"u8));
        var find = Assert.IsType<FindNodeRequest>(Assert.Single(honest.Collect(strict, EngineEndPoint, _now)));

        using var bogus = WeakIdentity(strictNetwork);
        var contacts = System.Collections.Immutable.ImmutableArray.Create(WireContact.FromNodeInfo(NodeInfo.Of(bogus, NodeEndpoint.FromIPEndPoint(new IPEndPoint(IPAddress.Loopback, 6000)))));
        honest.Answer(strict, _now, new NodesResponse(find.RequestId, contacts));

        Assert.False(strict.PollTransmit(out _)); // the bogus contact is not queried
        Assert.True(strict.Statistics.Drops.GetValueOrDefault("engine.InvalidAnswer") > 0);

        // Nothing is left to wait for: the lookup ends at once, and its result is the honest peer alone.
        QueryFinished? finished = null;
        while (finished is null && strict.PollEvent(out var e))
        {
            if (e is QueryFinished f && f.Query == query)
            {
                finished = f;
            }
        }

        var result = Assert.IsType<FindNodeResult>(Assert.IsType<QueryFinished>(finished).Result);
        Assert.Equal([honest.Identity.Id], result.Closest.Select(c => c.Id));
    }

    [Fact]
    public void A_full_bucket_pings_its_oldest_contact_and_no_other_and_keeps_it_when_it_answers()
    {
        // k = 2: two peers fill bucket 0 (IDs whose first bit differs from ours), a third is one too many.
        var network = Network with { K = 2 };
        using var identity = NodeIdentity.Generate(network);
        using var engine = new KademliaEngine(identity, new EngineOptions { Network = network, AdvertisedEndpoint = NodeEndpoint.FromIPEndPoint(EngineEndPoint) });
        var peers = new List<RawPeer>();
        while (peers.Count < 3)
        {
            var candidate = NodeIdentity.Generate(network);
            if (identity.Id.CommonPrefixLength(candidate.Id) == 0)
            {
                peers.Add(new RawPeer(candidate, network.NetworkId, 5100 + peers.Count));
            }
            else
            {
                candidate.Dispose();
            }
        }

        using var oldest = peers[0];
        using var younger = peers[1];
        using var newcomer = peers[2];
        oldest.Join(engine, EngineEndPoint, _now, Id(20));
        younger.Join(engine, EngineEndPoint, _now.AddSeconds(1), Id(24));
        Assert.Equal(oldest.Identity.Id, engine.Routing.GetBucket(0)!.Oldest!.Id);

        // The newcomer's first request only opens a session (its address is unproven); its second counts.
        var later = _now.AddSeconds(2);
        Assert.NotNull(newcomer.Ask(engine, EngineEndPoint, later, new PingRequest(Id(26))));
        newcomer.Send(engine, EngineEndPoint, later, new PingRequest(Id(22)));
        var sent = new List<Transmit>();
        while (engine.PollTransmit(out var transmit))
        {
            sent.Add(transmit);
        }

        // The newcomer is answered, the younger resident is left alone, and the oldest gets a PING.
        Assert.Contains(sent, t => t.Destination.Equals(newcomer.EndPoint));
        Assert.DoesNotContain(sent, t => t.Destination.Equals(younger.EndPoint));
        var ping = Assert.IsType<PingRequest>(oldest.Receive(engine, EngineEndPoint, later, Assert.Single(sent, t => t.Destination.Equals(oldest.EndPoint)).Packet));

        oldest.Answer(engine, later, new PongResponse(ping.RequestId, NodeEndpoint.FromIPEndPoint(oldest.EndPoint)));
        var bucket = engine.Routing.GetBucket(0)!;
        Assert.Equal(new[] { oldest.Identity.Id, younger.Identity.Id }.Order(), bucket.Contacts.Select(c => c.Id).Order());
        Assert.Contains(bucket.Replacements, c => c.Id == newcomer.Identity.Id);
    }

    [Fact]
    public void A_malformed_request_gets_an_error_answer_and_is_counted()
    {
        var pong = _peer.Ask(_engine, EngineEndPoint, _now, new PingRequest(Id(12)));
        Assert.NotNull(pong);
        var key = new Kademlia.Sessions.PeerKey(_engine.Identity.PublicKey);
        var buffer = new byte[1280];
        byte[] truncatedFindNode = [(byte)MessageType.FindNode, 0, 0, 0, 0, 0, 0, 0, 42, 1, 2, 3];
        var sealedPacket = _peer.Manager.SealTo(_now, key, truncatedFindNode, buffer);
        _engine.HandleDatagram(_now, _peer.EndPoint, buffer.AsSpan(0, sealedPacket.Length));
        var error = Assert.IsType<ErrorResponse>(Assert.Single(_peer.Collect(_engine, EngineEndPoint, _now)));
        Assert.Equal(ErrorCode.MalformedRequest, error.Code);
        Assert.Equal(42UL, error.RequestId);
        Assert.Equal(1, _engine.Statistics.Drops.GetValueOrDefault("engine.MalformedMessage"));
    }

    [Fact]
    public void Random_datagrams_never_throw_and_are_all_counted_as_drops()
    {
        var random = new Random(3);
        var packet = new byte[1400];
        for (var i = 0; i < 20_000; i++)
        {
            var length = random.Next(0, packet.Length);
            random.NextBytes(packet.AsSpan(0, length));
            if (i % 2 == 0 && length > 6)
            {
                packet[0] = 1;
                packet[1] = (byte)random.Next(1, 8);
            }

            _engine.HandleDatagram(_now, _peer.EndPoint, packet.AsSpan(0, length));
        }

        Assert.Equal(20_000, _engine.Statistics.TotalDrops);
        Assert.Equal(0, _engine.Routing.Count);
    }

    private QueryFinished DrainFinished(QueryId query)
    {
        while (_engine.PollEvent(out var e))
        {
            if (e is QueryFinished finished && finished.Query == query)
            {
                return finished;
            }
        }

        _engine.HandleTimeout(_now + TimeSpan.FromSeconds(30));
        while (_engine.PollEvent(out var e))
        {
            if (e is QueryFinished finished && finished.Query == query)
            {
                return finished;
            }
        }

        throw new InvalidOperationException("the query did not finish");
    }

    /// <summary>An identity that meets the static puzzle but not the dynamic one.</summary>
    private static NodeIdentity WeakIdentity(NetworkParameters network)
    {
        while (true)
        {
            var identity = NodeIdentity.Generate(network with { DynamicDifficulty = 0 });
            if (!identity.MeetsProofOfWork(network))
            {
                return identity;
            }

            identity.Dispose();
        }
    }
}
