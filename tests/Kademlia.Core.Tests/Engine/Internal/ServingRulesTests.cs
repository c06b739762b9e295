using Kademlia.Engine;
using Kademlia.Engine.Internal;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Routing;
using Kademlia.Tests.Routing;
using Kademlia.Wire;

namespace Kademlia.Tests.Engine.Internal;

public sealed class ServingRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly NetworkParameters Network = TestNodes.Network;
    private static readonly NodeId Self = NodeId.Hash("self"u8);
    private readonly RoutingTable _routing = new(Self, Network);
    private readonly MemoryRecordStore _store = new(Self);
    private readonly ServingRules _rules;
    private readonly NodeInfo _peer = TestNodes.Node(new Random(1), TestNodes.Loopback(1));

    public ServingRulesTests()
    {
        _rules = new ServingRules(Self, new EngineOptions { Network = Network }, _routing, _store);
        var random = new Random(2);
        for (var i = 0; i < 200; i++)
        {
            _routing.Observe(TestNodes.Node(random, TestNodes.Loopback(i + 10)), Now);
        }
    }

    [Fact]
    public void A_find_node_answer_keeps_the_closest_contacts_that_fit_its_room()
    {
        var target = NodeId.Hash("target"u8);
        var full = Assert.IsType<NodesResponse>(_rules.Serve(Now, _peer, new FindNodeRequest(1, target), WireLimits.MaxMessageSize, out _));
        Assert.Equal(Network.K, full.Contacts.Length);

        var room = 9 + 1 + (5 * 47); // header, count, five IPv4 contacts
        var trimmed = Assert.IsType<NodesResponse>(_rules.Serve(Now, _peer, new FindNodeRequest(2, target), room, out _));
        Assert.Equal(5, trimmed.Contacts.Length);
        Assert.Equal(full.Contacts.Take(5), trimmed.Contacts);
        Assert.True(MessageCodec.GetByteCount(trimmed) <= room);
    }

    [Fact]
    public void A_get_whose_value_cannot_fit_is_answered_answer_too_large_never_with_contacts_alone()
    {
        var record = ImmutableRecord.Create(new byte[900]);
        _store.Put(record, _peer.Id, Now, Now + TimeSpan.FromHours(1));
        var refused = Assert.IsType<ErrorResponse>(_rules.Serve(Now, _peer, new GetRequest(3, record.Key, RecordKind.Immutable), 500, out _));
        Assert.Equal(ErrorCode.AnswerTooLarge, refused.Code);
        Assert.IsType<ValueResponse>(_rules.Serve(Now, _peer, new GetRequest(4, record.Key, RecordKind.Immutable), WireLimits.MaxMessageSize, out _));
    }

    [Theory]
    [InlineData(-49 * 60, PutStatus.InvalidTimestamp)]
    [InlineData(-47 * 60, PutStatus.Stored)]
    [InlineData(9, PutStatus.Stored)]
    [InlineData(11, PutStatus.InvalidTimestamp)]
    public void A_provider_record_is_accepted_from_48_hours_old_to_10_minutes_ahead(int minutesFromNow, PutStatus expected)
    {
        using var provider = NodeIdentity.Generate(Network);
        var topic = NodeId.Hash("topic"u8);
        var published = (ulong)Now.AddMinutes(minutesFromNow).ToUnixTimeSeconds();
        var record = ProviderRecord.Create(provider, topic, TestNodes.Loopback(5), published, []);
        var answer = Assert.IsType<PutResultResponse>(_rules.Serve(Now, _peer, new AddProviderRequest(5, record, 3600), WireLimits.MaxMessageSize, out var stored));
        Assert.Equal(expected, answer.Status);
        Assert.Equal(expected == PutStatus.Stored, stored is { IsProvider: true });
    }

    [Theory]
    [InlineData("0.0.0.0", 6000)]
    [InlineData("203.0.113.9", 0)]
    [InlineData("127.0.0.1", 6000)]
    [InlineData("169.254.3.4", 6000)]
    [InlineData("224.0.0.251", 6000)]
    [InlineData("255.255.255.255", 6000)]
    [InlineData("::", 6000)]
    [InlineData("::1", 6000)]
    [InlineData("fe80::1", 6000)]
    [InlineData("ff02::1", 6000)]
    public void A_provider_record_with_an_endpoint_no_one_can_reach_is_refused_on_a_real_network(string address, int port)
    {
        // The network's diversity rules, with a proof-of-work cheap enough for a test.
        var network = NetworkParameters.Default with { StaticDifficulty = 0, DynamicDifficulty = 0 };
        var routing = new RoutingTable(Self, network);
        var rules = new ServingRules(Self, new EngineOptions { Network = network }, routing, _store);
        using var provider = NodeIdentity.Generate(network);
        var topic = NodeId.Hash("topic"u8);
        var published = (ulong)Now.ToUnixTimeSeconds();
        var peer = TestNodes.Node(new Random(3), NodeEndpoint.FromIPv4(0xCB007101, 7000));
        var endpoint = new NodeEndpoint(System.Net.IPAddress.Parse(address), port);
        var refused = ProviderRecord.Create(provider, topic, endpoint, published, []);
        var answer = Assert.IsType<PutResultResponse>(rules.Serve(Now, peer, new AddProviderRequest(6, refused, 3600), WireLimits.MaxMessageSize, out var stored));
        Assert.Equal(PutStatus.InvalidEndpoint, answer.Status);
        Assert.Null(stored);

        // A public or private (LAN) unicast address is taken.
        foreach (var reachable in new[] { "203.0.113.9", "10.1.2.3", "2001:db8::7" })
        {
            var record = ProviderRecord.Create(provider, topic, new NodeEndpoint(System.Net.IPAddress.Parse(reachable), 6000), published++, []);
            var ok = Assert.IsType<PutResultResponse>(rules.Serve(Now, peer, new AddProviderRequest(7, record, 3600), WireLimits.MaxMessageSize, out _));
            Assert.Equal(PutStatus.Stored, ok.Status);
        }
    }

    [Fact]
    public void On_a_test_network_a_loopback_provider_is_taken_and_each_loopback_endpoint_is_its_own_prefix()
    {
        using var provider = NodeIdentity.Generate(Network);
        var record = ProviderRecord.Create(provider, NodeId.Hash("topic"u8), TestNodes.Loopback(5), (ulong)Now.ToUnixTimeSeconds(), []);
        var answer = Assert.IsType<PutResultResponse>(_rules.Serve(Now, _peer, new AddProviderRequest(5, record, 3600), WireLimits.MaxMessageSize, out _));
        Assert.Equal(PutStatus.Stored, answer.Status);

        var limited = new MemoryRecordStore(Self, new RecordStoreLimits { MaxRecordsPerPrefix = 1 });
        var rules = new ServingRules(Self, new EngineOptions { Network = Network }, new RoutingTable(Self, Network), limited);
        for (var i = 0; i < 3; i++)
        {
            var peer = TestNodes.Node(new Random(100 + i), TestNodes.Loopback(500 + i));
            var put = new PutRequest(10 + (ulong)i, ImmutableRecord.Create([(byte)i]), 3600, null);
            var stored = Assert.IsType<PutResultResponse>(rules.Serve(Now, peer, put, WireLimits.MaxMessageSize, out _));
            Assert.Equal(PutStatus.Stored, stored.Status);
        }
    }
}
