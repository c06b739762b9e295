using System.Net;
using Kademlia.Engine.Internal;
using Kademlia.Routing;

namespace Kademlia.Tests.Engine.Internal;

public sealed class ExternalAddressVoteTests
{
    private static readonly NodeEndpoint Real = NodeEndpoint.FromIPEndPoint(IPEndPoint.Parse("203.0.113.7:4000"));
    private static readonly NodeEndpoint Fake = NodeEndpoint.FromIPEndPoint(IPEndPoint.Parse("198.51.100.66:6666"));

    private static NodeEndpoint Reporter(int subnet, int host = 1) =>
        NodeEndpoint.FromIPEndPoint(new IPEndPoint(IPAddress.Parse($"10.{subnet / 256}.{subnet % 256}.{host}"), 4000));

    [Fact]
    public void An_endpoint_is_adopted_once_three_prefixes_agree()
    {
        var vote = new ExternalAddressVote(loopbackPerEndpoint: false);
        Assert.False(vote.Report(Reporter(1), Real));
        Assert.False(vote.Report(Reporter(2), Real));
        Assert.Null(vote.Current);
        Assert.True(vote.Report(Reporter(3), Real));
        Assert.Equal(Real, vote.Current);
    }

    [Fact]
    public void Many_reporters_in_one_prefix_count_once_and_cannot_move_the_address()
    {
        var vote = new ExternalAddressVote(loopbackPerEndpoint: false);
        for (var i = 1; i <= 3; i++)
        {
            vote.Report(Reporter(i), Real);
        }

        for (var host = 1; host < 200; host++)
        {
            Assert.False(vote.Report(Reporter(99, host), Fake)); // an attacker's whole /24
        }

        Assert.Equal(Real, vote.Current);
        Assert.Equal(4, vote.Votes);
    }

    [Fact]
    public void A_real_change_wins_once_it_leads_the_window()
    {
        var vote = new ExternalAddressVote(loopbackPerEndpoint: false);
        for (var i = 1; i <= 3; i++)
        {
            vote.Report(Reporter(i), Real);
        }

        var moved = NodeEndpoint.FromIPEndPoint(IPEndPoint.Parse("203.0.113.8:4000"));
        Assert.False(vote.Report(Reporter(10), moved));
        Assert.False(vote.Report(Reporter(11), moved));
        Assert.False(vote.Report(Reporter(12), moved)); // 3 against 3: the adopted one stays
        Assert.True(vote.Report(Reporter(13), moved));
        Assert.Equal(moved, vote.Current);
    }

    [Fact]
    public void On_a_loopback_test_network_each_port_is_its_own_voter()
    {
        var loopback = new ExternalAddressVote(loopbackPerEndpoint: true);
        var strict = new ExternalAddressVote(loopbackPerEndpoint: false);
        var self = NodeEndpoint.FromIPEndPoint(IPEndPoint.Parse("127.0.0.1:5000"));
        for (var port = 5001; port <= 5003; port++)
        {
            var reporter = NodeEndpoint.FromIPEndPoint(new IPEndPoint(IPAddress.Loopback, port));
            loopback.Report(reporter, self);
            strict.Report(reporter, self);
        }

        Assert.Equal(self, loopback.Current);
        Assert.Null(strict.Current);
    }
}
