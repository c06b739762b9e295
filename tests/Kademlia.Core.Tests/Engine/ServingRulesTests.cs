using System.Net;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Routing;
using Kademlia.Simulation;
using Kademlia.Wire;

namespace Kademlia.Tests.Engine;

/// <summary>docs/PROTOCOL.md, PUT "Serving rules": what a store accepts, with the documented bounds on both sides.</summary>
public sealed class ServingRulesTests : IDisposable
{
    private const int Seed = 11;
    private static readonly NetworkParameters Network = NetworkParameters.Test;
    private static readonly IPEndPoint EngineEndPoint = new(IPAddress.Loopback, 4000);
    private readonly DateTimeOffset _now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly NodeIdentity _identity = SeededIdentities.Create(Network, Seed, 0);
    private readonly KademliaEngine _engine;
    private readonly RawPeer _peer = new(SeededIdentities.Create(Network, Seed, 1), Network.NetworkId, 5000);
    private ulong _requestId = 100;

    public ServingRulesTests() =>
        _engine = new KademliaEngine(_identity, new EngineOptions { Network = Network, AdvertisedEndpoint = NodeEndpoint.FromIPEndPoint(EngineEndPoint) });

    public void Dispose()
    {
        _engine.Dispose();
        _identity.Dispose();
        _peer.Dispose();
    }

    [Theory]
    [InlineData(600, PutStatus.Stored)] // 10 minutes ahead: the bound is included
    [InlineData(601, PutStatus.InvalidTimestamp)]
    [InlineData(-48 * 3600, PutStatus.Stored)] // 48 hours old: the bound is included
    [InlineData((-48 * 3600) - 1, PutStatus.InvalidTimestamp)]
    public void A_provider_record_is_accepted_from_48_hours_old_to_10_minutes_ahead_and_refused_INVALID_TIMESTAMP_outside(int offsetSeconds, PutStatus expected)
    {
        using var provider = SeededIdentities.Create(Network, Seed, 2);
        var record = ProviderRecord.Create(provider, NodeId.Hash("topic"u8), new NodeEndpoint(IPAddress.Loopback, 6000), (ulong)(_now.ToUnixTimeSeconds() + offsetSeconds), "t"u8);

        Assert.Equal(expected, AddProvider(record));
    }

    [Fact]
    public void A_provider_record_whose_contact_fails_the_proof_of_work_is_refused_INVALID_SIGNATURE()
    {
        using var honest = SeededIdentities.Create(Network, Seed, 2);
        var seed = honest.Export().AsSpan(1, 32);
        var badNonce = Enumerable.Range(0, 1000).Select(n => (ulong)n).First(n => ProofOfWork.DynamicScore(honest.Id, n) < Network.DynamicDifficulty);
        using var weak = NodeIdentity.FromPrivateSeed(seed, badNonce);
        Assert.False(weak.MeetsProofOfWork(Network));
        var record = ProviderRecord.Create(weak, NodeId.Hash("topic"u8), new NodeEndpoint(IPAddress.Loopback, 6000), (ulong)_now.ToUnixTimeSeconds(), "t"u8);
        Assert.Equal(RecordError.None, record.Verify());

        Assert.Equal(PutStatus.InvalidSignature, AddProvider(record));
    }

    [Fact]
    public void A_put_is_refused_NOT_CLOSEST_only_once_2k_known_nodes_are_closer_to_the_key_than_the_store()
    {
        var self = _identity.Id;
        Assert.IsType<PongResponse>(_peer.Ask(_engine, EngineEndPoint, _now, new PingRequest(_requestId++)));

        // A salt whose key lies in the half of the ID space away from us, so that nodes closer to it than we
        // are fill more than one bucket (a single bucket holds only k).
        var salt = Enumerable.Range(0, 100).Select(i => new[] { (byte)i }).First(s => MutableRecord.KeyOf(_peer.Identity.PublicIdentity, s).CommonPrefixLength(self) == 0);
        var key = MutableRecord.KeyOf(_peer.Identity.PublicIdentity, salt);
        int limit = 2 * Network.K;

        var added = new List<NodeIdentity>();
        for (int index = 3; Closer(key) < limit - 1; index++)
        {
            Assert.True(index < 5000, "could not build the table");
            var node = SeededIdentities.Create(Network, Seed, index);
            if (key.CompareDistance(node.Id, self) < 0 && _engine.Routing.Observe(NodeInfo.Of(node, new NodeEndpoint(IPAddress.Loopback, 10_000 + index)), _now).Kind == RoutingUpdateKind.Added)
            {
                added.Add(node);
            }
            else
            {
                node.Dispose();
            }
        }

        Assert.Equal(limit - 1, Closer(key));
        Assert.Equal(PutStatus.Stored, Put(MutableRecord.Create(_peer.Identity, salt, 1, "v1"u8)));

        for (int index = 5000; Closer(key) < limit; index++)
        {
            Assert.True(index < 10_000, "could not add the 2k-th closer node");
            var node = SeededIdentities.Create(Network, Seed, index);
            if (key.CompareDistance(node.Id, self) < 0)
            {
                _engine.Routing.Observe(NodeInfo.Of(node, new NodeEndpoint(IPAddress.Loopback, 10_000 + index)), _now);
            }

            added.Add(node);
        }

        Assert.Equal(limit, Closer(key));
        Assert.Equal(PutStatus.NotClosest, Put(MutableRecord.Create(_peer.Identity, salt, 2, "v2"u8)));
        Assert.Equal(1UL, ((MutableRecord)_engine.Store.Get(key, _now)!.Record).Sequence);
        added.ForEach(n => n.Dispose());
    }

    private int Closer(NodeId key) => _engine.Routing.FindClosest(key, 4 * Network.K).Count(c => key.CompareDistance(c.Id, _identity.Id) < 0);

    private PutStatus Put(ValueRecord record) =>
        Assert.IsType<PutResultResponse>(_peer.Ask(_engine, EngineEndPoint, _now, new PutRequest(_requestId++, record, 3600))).Status;

    private PutStatus AddProvider(ProviderRecord record) =>
        Assert.IsType<PutResultResponse>(_peer.Ask(_engine, EngineEndPoint, _now, new AddProviderRequest(_requestId++, record, 3600))).Status;
}
