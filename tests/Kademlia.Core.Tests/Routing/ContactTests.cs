using System.Net;
using CsCheck;
using Kademlia.Routing;
using static Kademlia.Tests.Routing.TestNodes;

namespace Kademlia.Tests.Routing;

public class ContactTests
{
    private static readonly TimeSpan Min = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(2);

    [Fact]
    public void Timeout_without_samples_is_the_maximum()
    {
        var contact = new Contact(Node(new Random(1), DistinctSubnet(1)), Epoch);
        Assert.Null(contact.SmoothedRtt);
        Assert.Equal(Max, contact.RequestTimeout(Min, Max));
    }

    [Fact]
    public void Timeout_converges_to_a_steady_rtt_and_stays_in_bounds() =>
        Gen.Select(Gen.Int[1, 5000], Gen.Int[5, 60]).Sample((rttMs, samples) =>
        {
            var contact = new Contact(Node(new Random(rttMs), DistinctSubnet(1)), Epoch);
            for (var i = 0; i < samples; i++)
            {
                contact.RecordSuccess(TimeSpan.FromMilliseconds(rttMs), Epoch.AddSeconds(i));
            }

            var timeout = contact.RequestTimeout(Min, Max);
            var srtt = contact.SmoothedRtt!.Value.TotalMilliseconds;
            return Math.Abs(srtt - rttMs) <= 1 && timeout >= Min && timeout <= Max
                && (rttMs * 1.0 < Min.TotalMilliseconds || timeout.TotalMilliseconds >= Math.Min(rttMs, Max.TotalMilliseconds));
        });

    [Fact]
    public void Success_clears_failures_and_raises_reputation()
    {
        var contact = new Contact(Node(new Random(2), DistinctSubnet(1)), Epoch);
        contact.RecordFailure();
        contact.RecordFailure();
        Assert.Equal(2, contact.ConsecutiveFailures);
        Assert.Equal(-4, contact.Reputation);
        contact.RecordSuccess(TimeSpan.FromMilliseconds(20), Epoch.AddSeconds(5));
        Assert.Equal(0, contact.ConsecutiveFailures);
        Assert.Equal(-3, contact.Reputation);
        Assert.Equal(Epoch.AddSeconds(5), contact.LastSeen);
    }

    [Theory]
    [InlineData("1.2.3.4", 5, true, false)]
    [InlineData("127.0.0.9", 5, true, true)]
    [InlineData("::1", 5, false, true)]
    [InlineData("2001:db8::7", 65535, false, false)]
    public void Endpoints_round_trip_through_IPEndPoint(string address, int port, bool ipv4, bool loopback)
    {
        var endpoint = new NodeEndpoint(IPAddress.Parse(address), port);
        Assert.Equal(ipv4, endpoint.IsIPv4);
        Assert.Equal(loopback, endpoint.IsLoopback);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), endpoint.ToIPEndPoint());
        Assert.Equal(endpoint, NodeEndpoint.FromIPEndPoint(endpoint.ToIPEndPoint()));
    }

    [Fact]
    public void Subnet_keys_group_ipv4_by_24_and_ipv6_by_48_bits()
    {
        Assert.Equal(new NodeEndpoint(IPAddress.Parse("9.8.7.1"), 1).SubnetKey, new NodeEndpoint(IPAddress.Parse("9.8.7.200"), 2).SubnetKey);
        Assert.NotEqual(new NodeEndpoint(IPAddress.Parse("9.8.7.1"), 1).SubnetKey, new NodeEndpoint(IPAddress.Parse("9.8.6.1"), 1).SubnetKey);
        Assert.Equal(new NodeEndpoint(IPAddress.Parse("2001:db8:1::1"), 1).SubnetKey, new NodeEndpoint(IPAddress.Parse("2001:db8:1:ffff::9"), 1).SubnetKey);
        Assert.NotEqual(new NodeEndpoint(IPAddress.Parse("2001:db8:1::1"), 1).SubnetKey, new NodeEndpoint(IPAddress.Parse("2001:db8:2::1"), 1).SubnetKey);
        Assert.Equal(new NodeEndpoint(IPAddress.Parse("::ffff:9.8.7.1"), 1), new NodeEndpoint(IPAddress.Parse("9.8.7.1"), 1));
    }
}
