using System.Net;
using Kademlia.Internal;
using Kademlia.Routing;

namespace Kademlia.Tests.Internal;

public sealed class StrangerLaneTests
{
    private static NodeEndpoint Source(int i) => NodeEndpoint.FromIPEndPoint(new IPEndPoint(IPAddress.Loopback, 5000 + i));

    [Fact]
    public void One_source_alone_takes_at_most_half_the_lane_and_a_newcomer_always_gets_a_free_slot()
    {
        var lane = new StrangerLane(512);
        var junk = 0;
        while (lane.TryEnter(Source(0), out _))
        {
            junk++;
            Assert.True(junk <= 512);
        }

        Assert.Equal(256, junk);
        for (var i = 1; i <= 10; i++)
        {
            Assert.True(lane.TryEnter(Source(i), out _), $"newcomer {i} was refused");
        }

        Assert.False(lane.TryEnter(Source(0), out _));
        Assert.Equal(266, lane.Queued);
    }

    [Fact]
    public void Several_sources_of_junk_each_get_a_fair_share_and_leave_room()
    {
        var lane = new StrangerLane(512);
        var taken = new int[4];
        for (var round = 0; round < 512; round++)
        {
            for (var s = 0; s < taken.Length; s++)
            {
                taken[s] += lane.TryEnter(Source(s), out _) ? 1 : 0;
            }
        }

        // k sources flooding in turn hold at most 512 / (k + 1) each, and leave at least as much free.
        Assert.All(taken, t => Assert.True(t <= (512 / (taken.Length + 1)) + 1, $"{t} slots"));
        Assert.True(lane.Queued <= 512 - (512 / (taken.Length + 1)) + taken.Length);
        Assert.True(lane.TryEnter(Source(99), out _));
    }

    [Fact]
    public void A_slot_given_back_can_be_taken_again_and_unknown_sources_are_ignored()
    {
        var lane = new StrangerLane(4);
        Assert.True(lane.TryEnter(Source(0), out _));
        Assert.True(lane.TryEnter(Source(0), out _));
        Assert.False(lane.TryEnter(Source(0), out _));
        lane.Leave(Source(0));
        lane.Leave(Source(7));
        Assert.Equal(1, lane.Queued);
        Assert.True(lane.TryEnter(Source(0), out _));
    }
}

public sealed class RecentDestinationsTests
{
    private static EndPoint Address(int i) => new IPEndPoint(IPAddress.Loopback, 1000 + i);

    [Fact]
    public void Addresses_age_out_a_generation_at_a_time_never_all_at_once()
    {
        var recent = new RecentDestinations(generationSize: 4);
        for (var i = 0; i < 4; i++)
        {
            recent.Add(Address(i));
        }

        // A fifth address starts a new generation: the first four are still known.
        recent.Add(Address(4));
        Assert.All(Enumerable.Range(0, 5), i => Assert.True(recent.Contains(Address(i))));

        // Sending again to an old address carries it into the new generation.
        recent.Add(Address(0));
        for (var i = 5; i < 8; i++)
        {
            recent.Add(Address(i));
        }

        recent.Add(Address(8)); // the seventh send began a third generation: the first is dropped, except what was sent to again
        Assert.True(recent.Contains(Address(0)));
        Assert.All(Enumerable.Range(1, 3), i => Assert.False(recent.Contains(Address(i))));
        Assert.All(Enumerable.Range(4, 5), i => Assert.True(recent.Contains(Address(i))));
        Assert.True(recent.Count <= 8);
    }
}
