using Kademlia.Internal;

namespace Kademlia.Tests.Internal;

public sealed class OverloadEpisodeTests
{
    [Fact]
    public void Only_the_first_refusal_of_an_overload_opens_an_episode()
    {
        var episode = new OverloadEpisode();

        Assert.True(episode.Refused());
        for (var i = 0; i < 1000; i++)
        {
            Assert.False(episode.Refused());
        }
    }

    [Fact]
    public void A_queue_hovering_at_its_bound_stays_in_one_episode_until_it_drains_to_a_quarter()
    {
        var episode = new OverloadEpisode();
        Assert.True(episode.Refused());

        // Room for one item at a time, as a flood keeps a queue of 512 full while it is served; a lone
        // flooder of the strangers' lane hovers at half (its fair share), which must not end the episode.
        for (var queued = 512; queued > 128; queued--)
        {
            episode.Accepted(queued, 512);
            Assert.False(episode.Refused());
        }

        episode.Accepted(128, 512);
        Assert.True(episode.Refused()); // a new overload after draining to a quarter is logged again
    }
}
