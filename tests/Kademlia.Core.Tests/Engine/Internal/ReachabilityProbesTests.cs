using System.Net;
using Kademlia.Engine;
using Kademlia.Engine.Internal;
using Kademlia.Identity;
using Kademlia.Routing;
using Kademlia.Tests.Routing;

namespace Kademlia.Tests.Engine.Internal;

public sealed class ReachabilityProbesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly NodeEndpoint Stranger = NodeEndpoint.FromIPEndPoint(IPEndPoint.Parse("198.51.100.9:4000"));

    private static NodeInfo Helper(int n) => TestNodes.Node(new Random(n), NodeEndpoint.FromIPEndPoint(new IPEndPoint(IPAddress.Parse($"192.0.{n}.1"), 4000)));

    [Fact]
    public void A_dial_from_an_address_never_contacted_makes_the_node_public()
    {
        var probes = new ReachabilityProbes();
        Assert.True(probes.IsDue(T0));
        probes.Started(7, Helper(1), T0);
        probes.Acknowledged(7, forwarded: true, T0);
        Assert.False(probes.Dialed(8, Stranger, contactedBefore: false, loopbackPerEndpoint: false, T0)); // wrong nonce
        Assert.True(probes.Dialed(7, Stranger, contactedBefore: false, loopbackPerEndpoint: false, T0));
        Assert.Equal(NodeReachability.Public, probes.Status);
        Assert.Equal(T0 + ReachabilityProbes.RecheckInterval, probes.NextDue);
    }

    [Fact]
    public void A_dial_from_an_address_we_sent_to_or_from_the_helpers_prefix_proves_nothing()
    {
        var probes = new ReachabilityProbes();
        var helper = Helper(1);
        probes.Started(7, helper, T0);
        probes.Acknowledged(7, forwarded: true, T0);
        Assert.False(probes.Dialed(7, Stranger, contactedBefore: true, loopbackPerEndpoint: false, T0));
        Assert.Equal(NodeReachability.Unknown, probes.Status);
        Assert.False(probes.Expire(T0 + ReachabilityProbes.DialTimeout)); // inconclusive, not a failure
        Assert.False(probes.HasFailed(helper.Id));

        var later = T0 + ReachabilityProbes.RetryInterval;
        probes.Started(8, helper, later);
        probes.Acknowledged(8, forwarded: true, later);
        var helperNeighbour = NodeEndpoint.FromIPEndPoint(IPEndPoint.Parse("192.0.1.200:5000"));
        Assert.False(probes.Dialed(8, helperNeighbour, contactedBefore: false, loopbackPerEndpoint: false, later));
        Assert.Equal(NodeReachability.Unknown, probes.Status);
    }

    [Fact]
    public void Three_forwarded_probes_without_a_dial_through_different_helpers_make_the_node_private()
    {
        var probes = new ReachabilityProbes();
        var now = T0;
        for (var helper = 1; helper <= ReachabilityProbes.FailuresForPrivate; helper++)
        {
            Assert.True(probes.IsDue(now)); // the next helper is asked at once
            probes.Started((ulong)helper, Helper(helper), now);
            probes.Acknowledged((ulong)helper, forwarded: true, now);
            now += ReachabilityProbes.DialTimeout;
            Assert.Equal(helper == ReachabilityProbes.FailuresForPrivate, probes.Expire(now));
            Assert.True(helper == ReachabilityProbes.FailuresForPrivate || probes.HasFailed(Helper(helper).Id));
        }

        Assert.Equal(NodeReachability.Private, probes.Status);
    }

    [Fact]
    public void A_refused_or_unanswered_probe_is_inconclusive_and_retried_later()
    {
        var probes = new ReachabilityProbes();
        probes.Started(1, Helper(1), T0);
        probes.Acknowledged(1, forwarded: false, T0);
        Assert.Equal(NodeReachability.Unknown, probes.Status);
        Assert.False(probes.IsDue(T0 + TimeSpan.FromSeconds(1)));
        Assert.True(probes.IsDue(T0 + ReachabilityProbes.RetryInterval));

        probes.Started(2, Helper(2), T0 + ReachabilityProbes.RetryInterval);
        probes.Failed(2, T0 + ReachabilityProbes.RetryInterval);
        Assert.Equal(NodeReachability.Unknown, probes.Status);
        Assert.False(probes.HasFailed(Helper(2).Id));
    }
}
