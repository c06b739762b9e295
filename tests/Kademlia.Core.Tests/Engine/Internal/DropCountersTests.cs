using Kademlia.Engine;
using Kademlia.Engine.Internal;
using Kademlia.Sessions;

namespace Kademlia.Tests.Engine.Internal;

public sealed class DropCountersTests
{
    [Fact]
    public void Counters_are_named_only_at_the_edge_with_their_layer_as_prefix()
    {
        var drops = new DropCounters();
        drops.Count(EngineDropReason.RateLimited);
        drops.Count(EngineDropReason.RateLimited);
        drops.Count(SessionDropReason.InvalidMac1);
        drops.RequestNotSent(SealStatus.NeedsHandshake);
        drops.AnswerNotSent(SealStatus.AnswerTooLarge);

        var named = drops.ToDictionary();
        Assert.Equal(2, named["engine.RateLimited"]);
        Assert.Equal(1, named["session.InvalidMac1"]);
        Assert.Equal(1, named["engine.RequestNotSent.NeedsHandshake"]);
        Assert.Equal(1, named["engine.AnswerNotSent.AnswerTooLarge"]);
        Assert.Equal(4, named.Count); // zero counters are left out
        Assert.Equal(5, drops.Total);
    }

    [Fact]
    public void Every_reason_of_every_layer_has_its_own_slot()
    {
        var drops = new DropCounters();
        foreach (var reason in Enum.GetValues<EngineDropReason>())
        {
            drops.Count(reason);
        }

        foreach (var reason in Enum.GetValues<SessionDropReason>())
        {
            drops.Count(reason);
        }

        var named = drops.ToDictionary();
        Assert.Equal(Enum.GetValues<EngineDropReason>().Length + Enum.GetValues<SessionDropReason>().Length, named.Count);
        Assert.All(named.Values, count => Assert.Equal(1, count));
    }
}
