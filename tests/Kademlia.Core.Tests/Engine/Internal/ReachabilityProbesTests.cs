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
        Assert.Equal(1, probes.Counts.DialsFromKnown);

        // Another helper is asked next, soon: this one's dialer is known to us, it would likely pick it again.
        Assert.True(probes.WasTried(helper.Id));
        Assert.False(probes.IsDue(T0 + TimeSpan.FromSeconds(1)));
        Assert.True(probes.IsDue(T0 + ReachabilityProbes.DialTimeout));

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

    [Fact]
    public void Dials_that_prove_nothing_cannot_keep_the_node_unknown_while_untried_helpers_remain()
    {
        // Helper 1's dialer is a peer we talk to: its dial always arrives and proves nothing. Helpers 2-4
        // pick strangers whose dials the NAT drops. The node must get to Private through them, not retry
        // helper 1 forever.
        var probes = new ReachabilityProbes();
        var now = T0;
        ulong nonce = 0;
        nonce++;
        probes.Started(nonce, Helper(1), now);
        probes.Acknowledged(nonce, forwarded: true, now);
        probes.Dialed(nonce, Stranger, contactedBefore: true, loopbackPerEndpoint: false, now);
        now += ReachabilityProbes.DialTimeout;
        for (var helper = 2; helper <= 1 + ReachabilityProbes.FailuresForPrivate; helper++)
        {
            Assert.True(probes.IsDue(now));
            Assert.False(probes.WasTried(Helper(helper).Id));
            probes.Started(++nonce, Helper(helper), now);
            probes.Acknowledged(nonce, forwarded: true, now);
            now += ReachabilityProbes.DialTimeout;
            probes.Expire(now);
        }

        Assert.Equal(NodeReachability.Private, probes.Status);
        Assert.Equal(new ReachabilityProbeCounts { Sent = 4, Forwarded = 4, DialsFromKnown = 1, DialsMissed = 3 }, probes.Counts);
    }

    [Fact]
    public void When_every_helper_was_tried_a_new_round_starts_later_with_failures_kept()
    {
        var probes = new ReachabilityProbes();
        probes.Started(1, Helper(1), T0);
        probes.Acknowledged(1, forwarded: true, T0);
        probes.Expire(T0 + ReachabilityProbes.DialTimeout); // a real failure
        var now = T0 + ReachabilityProbes.DialTimeout;
        probes.Started(2, Helper(2), now);
        probes.Acknowledged(2, forwarded: false, now); // refused: tried, not failed
        Assert.True(probes.WasTried(Helper(2).Id));

        now += ReachabilityProbes.RetryInterval;
        probes.Postpone(now); // the engine found no untried helper
        Assert.False(probes.IsDue(now));
        Assert.True(probes.IsDue(now + ReachabilityProbes.RetryInterval));
        Assert.False(probes.WasTried(Helper(2).Id)); // a new round may ask it again
        Assert.True(probes.HasFailed(Helper(1).Id)); // the failure still counts towards Private
    }
}
