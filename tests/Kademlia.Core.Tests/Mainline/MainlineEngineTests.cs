using CsCheck;
using System.Net;
using Kademlia.Mainline;
using NSec.Cryptography;

namespace Kademlia.Tests.Mainline;

/// <summary>The Mainline engine in virtual time, engines wired in memory: every BEP 5/32/42/43/44 operation end to end.</summary>
public class MainlineEngineTests
{
    private static readonly BencodeString Hello = BencodeString.FromUtf8("Hello World!");

    private static IEnumerable<MainlineId> ClosestIds(IEnumerable<MainlineEngine> engines, MainlineId target, int count) =>
        engines.Select(e => e.Id).OrderBy(id => id ^ target).Take(count);

    [Fact]
    public void Find_node_over_the_native_table_and_lookup_returns_the_true_eight_closest()
    {
        var network = new MainlineTestNetwork();
        var engines = network.Build(40);
        var asker = engines[17];
        var target = MainlineId.Random(new Random(5));

        var result = network.Run(asker, asker.StartFindNode(target, network.Now));

        Assert.Equal(8, asker.Options.K);
        Assert.Equal(ClosestIds(engines.Where(e => e != asker), target, 8), result.Closest.Select(n => n.Id));
        Assert.InRange(asker.RoutingTable.Count, 8, 39);
        Assert.True(result.QueriesSent >= 8);
    }

    [Fact]
    public void An_announced_peer_is_found_by_get_peers_from_another_node_with_implied_port()
    {
        var network = new MainlineTestNetwork();
        var engines = network.Build(20);
        var infoHash = MainlineId.Sha1("torrent"u8);

        var announce = network.Run(engines[3], engines[3].StartAnnounce(infoHash, port: null, network.Now));
        var found = network.Run(engines[11], engines[11].StartGetPeers(infoHash, network.Now));
        var withPort = network.Run(engines[4], engines[4].StartAnnounce(infoHash, port: 6881, network.Now));
        var both = network.Run(engines[12], engines[12].StartGetPeers(infoHash, network.Now));

        Assert.InRange(announce.StoredCount, 1, 8);
        Assert.Empty(announce.Errors);
        Assert.Contains(network.EndpointOf(engines[3]), found.Peers);
        Assert.True(withPort.StoredCount > 0);
        Assert.Contains(new NodeEndpoint(IPAddress.Loopback, 6881), both.Peers);
        Assert.Contains(network.EndpointOf(engines[3]), both.Peers);
    }

    [Fact]
    public void An_immutable_item_put_by_one_node_is_got_by_another_and_hashes_to_its_target()
    {
        var network = new MainlineTestNetwork();
        var engines = network.Build(20);
        var item = new ImmutableItem(Hello);

        var put = network.Run(engines[2], engines[2].StartPutItem(item, cas: null, network.Now));
        var got = network.Run(engines[15], engines[15].StartGetItem(item.Target, salt: null, network.Now));
        var missing = network.Run(engines[15], engines[15].StartGetItem(MainlineId.Sha1("nothing"u8), salt: null, network.Now));

        Assert.InRange(put.StoredCount, 1, 8);
        var immutable = Assert.IsType<ImmutableItem>(got.Item);
        Assert.Equal(Hello, immutable.Value);
        Assert.Equal(MainlineId.Sha1("12:Hello World!"u8), got.Target);
        Assert.Null(missing.Item);
    }

    [Fact]
    public void A_mutable_item_with_salt_is_updated_by_sequence_and_the_highest_sequence_is_got()
    {
        var network = new MainlineTestNetwork();
        var engines = network.Build(20);
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var salt = BencodeString.FromUtf8("foobar");
        var first = MutableItem.Sign(key, salt, 1, BencodeString.FromUtf8("one"));
        var second = MutableItem.Sign(key, salt, 2, BencodeString.FromUtf8("two"));

        Assert.True(network.Run(engines[1], engines[1].StartPutItem(first, cas: null, network.Now)).StoredCount > 0);
        var updated = network.Run(engines[1], engines[1].StartPutItem(second, cas: 1, network.Now));
        var got = network.Run(engines[9], engines[9].StartGetItem(first.Target, salt, network.Now));
        var wrongSalt = network.Run(engines[9], engines[9].StartGetItem(first.Target, BencodeString.FromUtf8("other"), network.Now));

        Assert.True(updated.StoredCount > 0);
        Assert.Empty(updated.Errors);
        var mutable = Assert.IsType<MutableItem>(got.Item);
        Assert.Equal(2, mutable.Sequence);
        Assert.Equal(BencodeString.FromUtf8("two"), mutable.Value);
        Assert.Null(wrongSalt.Item);
    }

    [Fact]
    public void A_put_with_a_stale_cas_is_refused_with_301_and_a_lower_sequence_with_302()
    {
        var network = new MainlineTestNetwork();
        var engines = network.Build(12);
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var v5 = MutableItem.Sign(key, BencodeString.Empty, 5, BencodeString.FromUtf8("five"));
        Assert.True(network.Run(engines[0], engines[0].StartPutItem(v5, null, network.Now)).StoredCount > 0);

        var staleCas = network.Run(engines[0], engines[0].StartPutItem(MutableItem.Sign(key, BencodeString.Empty, 6, BencodeString.FromUtf8("six")), cas: 4, network.Now));
        var lower = network.Run(engines[0], engines[0].StartPutItem(MutableItem.Sign(key, BencodeString.Empty, 3, BencodeString.FromUtf8("three")), null, network.Now));
        var got = network.Run(engines[7], engines[7].StartGetItem(v5.Target, null, network.Now));

        Assert.Equal(0, staleCas.StoredCount);
        Assert.NotEmpty(staleCas.Errors);
        Assert.All(staleCas.Errors, e => Assert.Equal(KrpcErrorCode.CasMismatch, e.KnownCode));
        Assert.Equal(0, lower.StoredCount);
        Assert.All(lower.Errors, e => Assert.Equal(KrpcErrorCode.SequenceTooLow, e.KnownCode));
        Assert.Equal(5, Assert.IsType<MutableItem>(got.Item).Sequence);
        Assert.Throws<ArgumentException>(() => engines[0].StartPutItem(new ImmutableItem(new BencodeString(new byte[1200])), null, network.Now));
    }

    [Fact]
    public void Announce_and_put_need_a_token_issued_to_the_sender_address()
    {
        var network = new MainlineTestNetwork();
        var node = network.Add(MainlineTestNetwork.Loopback(0));
        var alice = new NodeEndpoint(IPAddress.Parse("127.0.0.2"), 7000);
        var mallory = new NodeEndpoint(IPAddress.Parse("127.0.0.3"), 7000);
        var infoHash = MainlineId.Sha1("x"u8);
        var ask = KrpcCodec.Encode(new KrpcMessage(BencodeString.FromUtf8("aa"), new GetPeersQuery(MainlineId.Sha1("alice"u8), infoHash)));
        var answer = Answer(network.Inject(node, alice, ask));
        var token = Assert.IsType<KrpcResponse>(answer.Body).Token!;

        var stolen = new AnnouncePeerQuery(MainlineId.Sha1("mallory"u8), infoHash, 6881, false, token);
        var refused = Answer((network.Inject(node, mallory, KrpcCodec.Encode(new KrpcMessage(BencodeString.FromUtf8("bb"), stolen)))));
        var forged = new AnnouncePeerQuery(MainlineId.Sha1("alice"u8), infoHash, 6881, false, BencodeString.FromUtf8("12345678"));
        var bad = Answer((network.Inject(node, alice, KrpcCodec.Encode(new KrpcMessage(BencodeString.FromUtf8("cc"), forged)))));
        var good = Answer((network.Inject(node, alice, KrpcCodec.Encode(new KrpcMessage(BencodeString.FromUtf8("dd"), forged with { Token = token })))));

        Assert.Equal(KrpcErrorCode.Protocol, Assert.IsType<KrpcError>(refused.Body).KnownCode);
        Assert.Equal(KrpcErrorCode.Protocol, Assert.IsType<KrpcError>(bad.Body).KnownCode);
        Assert.IsType<KrpcResponse>(good.Body);
        Assert.Equal(alice, answer.ExternalEndpoint);
        Assert.Equal(1, node.StoredInfoHashes);
    }

    [Fact]
    public void A_read_only_node_sends_ro_answers_nothing_and_stays_out_of_tables_yet_its_lookups_work()
    {
        var network = new MainlineTestNetwork();
        var engines = network.Build(15);
        var reader = network.Add(MainlineTestNetwork.Loopback(100), MainlineTestNetwork.LoopbackOptions with { ReadOnly = true });
        var readerEndpoint = network.EndpointOf(reader);
        network.Run(reader, reader.StartBootstrap([MainlineTestNetwork.Loopback(0)], network.Now));
        var infoHash = MainlineId.Sha1("ro"u8);
        network.Run(engines[5], engines[5].StartAnnounce(infoHash, 1234, network.Now));

        var found = network.Run(reader, reader.StartGetPeers(infoHash, network.Now));
        var ping = KrpcCodec.Encode(new KrpcMessage(BencodeString.FromUtf8("pp"), new PingQuery(MainlineId.Sha1("p"u8))));

        Assert.Contains(new NodeEndpoint(IPAddress.Loopback, 1234), found.Peers);
        Assert.Empty(network.Inject(reader, MainlineTestNetwork.Loopback(1), ping));
        Assert.All(network.Sent.Where(s => s.From == readerEndpoint), s => Assert.True(Decode(s.Data).ReadOnly));
        Assert.All(engines, e => Assert.DoesNotContain(e.RoutingTable.Contacts, c => c.Endpoint == readerEndpoint));
        Assert.True(engines.Sum(e => e.Statistics.ReadOnlyQueriers) > 0);
        Assert.True(reader.RoutingTable.Count > 0);
    }

    [Fact]
    public void Bep42_our_id_follows_the_voted_external_address_and_mismatching_public_ids_stay_out_of_the_table()
    {
        var network = new MainlineTestNetwork();
        var options = new MainlineEngineOptions { MinRequestTimeout = TimeSpan.FromMilliseconds(50) };
        NodeEndpoint Public(int i) => new(IPAddress.Parse($"203.0.{i}.7"), 6881);
        var honest = Enumerable.Range(1, 6)
            .Select(i => network.Add(Public(i), options with { Id = NodeIdSecurity.Generate(Public(i).ToIPAddress(), new Random(i)) }))
            .ToList();
        var liar = network.Add(Public(50), options with { Id = MainlineId.Sha1("not derived"u8) });
        var newcomer = network.Add(Public(60), options);
        var before = newcomer.Id;
        Assert.False(NodeIdSecurity.Matches(before, Public(60).ToIPAddress()));

        network.Run(newcomer, newcomer.StartBootstrap(honest.Select(network.EndpointOf).Append(Public(50)), network.Now));

        Assert.Equal(Public(60).ToIPAddress(), newcomer.ExternalAddress);
        Assert.NotEqual(before, newcomer.Id);
        Assert.True(NodeIdSecurity.Matches(newcomer.Id, Public(60).ToIPAddress()));
        Assert.DoesNotContain(newcomer.RoutingTable.Contacts, c => c.Endpoint == Public(50));
        Assert.True(newcomer.Statistics.NodeIdsRefused > 0);
        Assert.Equal(6, newcomer.RoutingTable.Count);
        Assert.True(NodeIdSecurity.IsValid(liar.Id, IPAddress.Parse("192.168.1.9")));
    }

    [Fact]
    public void Bep32_ipv6_nodes_answer_with_nodes6_and_look_up_over_ipv6()
    {
        var network = new MainlineTestNetwork();
        var options = MainlineTestNetwork.LoopbackOptions with { AddressFamilies = KrpcWant.Nodes4 | KrpcWant.Nodes6 };
        var engines = new List<MainlineEngine>();
        for (var i = 0; i < 12; i++)
        {
            var endpoint = new NodeEndpoint(IPAddress.IPv6Loopback, 20_000 + i);
            var engine = network.Add(endpoint, options);
            engines.Add(engine);
            if (i > 0) network.Run(engine, engine.StartBootstrap([new NodeEndpoint(IPAddress.IPv6Loopback, 20_000)], network.Now));
        }

        var infoHash = MainlineId.Sha1("six"u8);
        network.Run(engines[2], engines[2].StartAnnounce(infoHash, null, network.Now));
        var found = network.Run(engines[8], engines[8].StartGetPeers(infoHash, network.Now));

        Assert.Contains(new NodeEndpoint(IPAddress.IPv6Loopback, 20_002), found.Peers);
        var answers = network.Sent.Select(s => Decode(s.Data).Body).OfType<KrpcResponse>().ToList();
        Assert.Contains(answers, r => r.Nodes6 is { Count: > 0 });
        Assert.All(answers.Where(r => r.Nodes6 is not null).SelectMany(r => r.Nodes6!), n => Assert.False(n.Endpoint.IsIPv4));
    }

    [Fact]
    public void Queries_from_one_address_past_the_burst_are_dropped_and_counted()
    {
        var network = new MainlineTestNetwork();
        var node = network.Add(MainlineTestNetwork.Loopback(0));
        var flooder = new NodeEndpoint(IPAddress.Parse("127.0.0.9"), 9999);
        var answered = 0;
        for (var i = 0; i < 200; i++)
        {
            var ping = new KrpcMessage(new BencodeString([(byte)i, 1]), new PingQuery(MainlineId.Sha1("flood"u8)));
            answered += network.Inject(node, flooder, KrpcCodec.Encode(ping)).Count(t => t.To == flooder && Decode(t.Datagram).Body is KrpcResponse);
        }

        Assert.Equal(50, answered);
        Assert.Equal(150, node.Statistics.RateLimited);
        var other = new NodeEndpoint(IPAddress.Parse("127.0.0.10"), 9999);
        Assert.IsType<KrpcResponse>(Answer(network.Inject(node, other, KrpcCodec.Encode(new KrpcMessage(BencodeString.FromUtf8("zz"), new PingQuery(MainlineId.Sha1("o"u8)))))).Body);
    }

    [Fact]
    public void Subnet_limits_of_the_native_table_hold_for_mainline_contacts()
    {
        var network = new MainlineTestNetwork();
        var options = new MainlineEngineOptions { EnforceNodeIds = false, MinRequestTimeout = TimeSpan.FromMilliseconds(50) };
        var crowd = Enumerable.Range(1, 30).Select(i => new NodeEndpoint(IPAddress.Parse($"198.51.100.{i}"), 6881)).ToList();
        foreach (var endpoint in crowd) network.Add(endpoint, options);
        var node = network.Add(new NodeEndpoint(IPAddress.Parse("192.0.2.1"), 6881), options);

        network.Run(node, node.StartBootstrap(crowd, network.Now));

        Assert.InRange(node.RoutingTable.Count, 1, options.MaxPerSubnetPerTable);
        for (var b = 0; b < MainlineId.Bits; b++)
        {
            Assert.True((node.RoutingTable.GetBucket(b)?.Count ?? 0) <= options.MaxPerSubnetPerBucket);
        }
    }

    [Fact]
    public void Hostile_datagrams_never_throw_are_counted_and_an_unknown_method_gets_204()
    {
        var network = new MainlineTestNetwork();
        var node = network.Add(MainlineTestNetwork.Loopback(0));
        var random = new Random(42);
        for (var i = 0; i < 5_000; i++)
        {
            var junk = new byte[random.Next(0, 300)];
            random.NextBytes(junk);
            network.Inject(node, new NodeEndpoint(IPAddress.Parse("127.0.0.5"), 1000 + (i % 50)), junk);
        }

        var unknown = "d1:ad2:id20:abcdefghij0123456789e1:q4:fake1:t2:xy1:y1:qe"u8.ToArray();
        var reply = Decode(Assert.Single(network.Inject(node, MainlineTestNetwork.Loopback(7), unknown)));

        Assert.True(node.Statistics.Malformed >= 4_900);
        Assert.Equal(KrpcErrorCode.MethodUnknown, Assert.IsType<KrpcError>(reply.Body).KnownCode);
        Assert.Equal(BencodeString.FromUtf8("xy"), reply.TransactionId);
    }

    [Fact]
    public void Stores_are_bounded_in_items_and_in_peers_per_info_hash()
    {
        var network = new MainlineTestNetwork();
        var node = network.Add(MainlineTestNetwork.Loopback(0), MainlineTestNetwork.LoopbackOptions with { MaxItems = 5, MaxPeersPerInfoHash = 3, QueryBurstPerAddress = 1000 });
        var infoHash = MainlineId.Sha1("bounded"u8);
        for (var i = 0; i < 10; i++)
        {
            var from = new NodeEndpoint(IPAddress.Parse($"127.0.1.{i + 1}"), 5000);
            var get = KrpcCodec.Encode(new KrpcMessage(BencodeString.FromUtf8("g1"), new GetItemQuery(MainlineId.Sha1("q"u8), infoHash)));
            var token = Assert.IsType<KrpcResponse>(Answer(network.Inject(node, from, get)).Body).Token!;
            var item = new ImmutableItem(new BencodeInteger(i));
            network.Inject(node, from, KrpcCodec.Encode(new KrpcMessage(BencodeString.FromUtf8("p1"), new PutItemQuery(MainlineId.Sha1("q"u8), token, item))));
            network.Inject(node, from, KrpcCodec.Encode(new KrpcMessage(BencodeString.FromUtf8("a1"), new AnnouncePeerQuery(MainlineId.Sha1("q"u8), infoHash, 6881, false, token))));
        }

        var ask = KrpcCodec.Encode(new KrpcMessage(BencodeString.FromUtf8("g2"), new GetPeersQuery(MainlineId.Sha1("q"u8), infoHash)));
        var peers = Assert.IsType<KrpcResponse>(Answer(network.Inject(node, MainlineTestNetwork.Loopback(3), ask)).Body).Values;

        Assert.Equal(5, node.StoredItems);
        Assert.Equal(3, peers!.Count);
        Assert.Contains(new NodeEndpoint(IPAddress.Parse("127.0.1.10"), 6881), peers);
    }

    [Fact]
    public void A_lookup_past_dead_nodes_still_finds_the_live_closest()
    {
        var network = new MainlineTestNetwork();
        var engines = network.Build(30);
        var target = MainlineId.Random(new Random(9));
        var dead = engines.Skip(1).Where(e => e != engines[20]).OrderBy(e => e.Id ^ target).Take(3).ToList();
        foreach (var engine in dead) network.Silent.Add(network.EndpointOf(engine));

        var result = network.Run(engines[20], engines[20].StartFindNode(target, network.Now));

        var live = engines.Where(e => e != engines[20] && !dead.Contains(e));
        Assert.Equal(ClosestIds(live, target, 8), result.Closest.Select(n => n.Id));
    }

    /// <summary>The one answer among what a node sent back (it may also ping the querier to verify it).</summary>
    private static KrpcMessage Answer(List<MainlineTransmit> sent) =>
        Assert.Single(sent.Select(Decode), m => m.Body is not KrpcQuery);

    private static KrpcMessage Decode(MainlineTransmit transmit) => Decode(transmit.Datagram);

    private static KrpcMessage Decode(byte[] datagram)
    {
        Assert.Equal(KrpcDecodeError.None, KrpcCodec.TryRead(datagram, out var message));
        return message!;
    }
}

/// <summary>Properties of the Mainline engine over generated networks and store workloads.</summary>
public class MainlineEnginePropertyTests
{
    [Fact]
    public void For_any_network_find_node_returns_the_true_closest_that_exist()
    {
        Gen.Select(Gen.Int[2, 30], Gen.Int[1, 1_000_000]).Sample((count, seed) =>
        {
            var network = new MainlineTestNetwork();
            var engines = network.Build(count, i => MainlineTestNetwork.LoopbackOptions with { Id = MainlineId.Random(new Random(seed + i)) });
            var random = new Random(seed);
            var asker = engines[random.Next(count)];
            var target = MainlineId.Random(random);

            var result = network.Run(asker, asker.StartFindNode(target, network.Now));

            var expected = engines.Where(e => e != asker).Select(e => e.Id).OrderBy(id => id ^ target).Take(asker.Options.K);
            Assert.Equal(expected, result.Closest.Select(n => n.Id));
        }, iter: 25);
    }

    [Fact]
    public void The_item_store_never_exceeds_its_bounds_and_keeps_the_latest_put()
    {
        var puts = Gen.Int[0, 900].Array[1, 60];
        Gen.Select(puts, Gen.Int[1, 8], Gen.Int[1_000, 4_000]).Sample((sizes, maxItems, maxBytes) =>
        {
            var store = new Kademlia.Mainline.Internal.ItemStore(maxItems, maxBytes, TimeSpan.FromHours(2));
            var now = MainlineTestNetwork.Start;
            for (var i = 0; i < sizes.Length; i++)
            {
                var item = new ImmutableItem(new BencodeList(new BencodeInteger(i), new BencodeString(new byte[sizes[i]])));
                store.Put(item, now.AddSeconds(i));
                Assert.InRange(store.Count, 1, maxItems);
                Assert.InRange(store.Bytes, 0, maxBytes);
                Assert.Same(item, store.Get(item.Target, now.AddSeconds(i)));
            }
        }, iter: 200);
    }
}
