using System.Net;
using Kademlia.Engine;
using Kademlia.Identity;

namespace Kademlia.Tests.Engine;

/// <summary>
/// A bootstrap whose seed never answers says <see cref="OperationFailure.WrongNetwork"/> when the seed's own
/// packets, of another network, arrived while it ran or shortly before it started: two nodes of different
/// networks that bootstrap from each other at once may each see the other's handshake first (a loopback
/// test failed that way under load).
/// </summary>
public sealed class WrongNetworkLookbackTests : IDisposable
{
    private static readonly NetworkParameters Other = NetworkParameters.Test with
    {
        NetworkId = NetworkParameters.NetworkIdFromName("another-test-network"),
        Name = "another-test-network",
    };

    private static readonly IPEndPoint HomeEndPoint = new(IPAddress.Loopback, 4000);
    private static readonly IPEndPoint StrangerEndPoint = new(IPAddress.Loopback, 4001);
    private readonly DateTimeOffset _start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly NodeIdentity _homeIdentity = NodeIdentity.Generate(NetworkParameters.Test);
    private readonly NodeIdentity _strangerIdentity = NodeIdentity.Generate(Other);
    private readonly KademliaEngine _home;
    private readonly KademliaEngine _stranger;

    public WrongNetworkLookbackTests()
    {
        _home = new KademliaEngine(_homeIdentity, new EngineOptions { Network = NetworkParameters.Test, AdvertisedEndpoint = NodeEndpoint.FromIPEndPoint(HomeEndPoint) });
        _stranger = new KademliaEngine(_strangerIdentity, new EngineOptions { Network = Other, AdvertisedEndpoint = NodeEndpoint.FromIPEndPoint(StrangerEndPoint) });
    }

    public void Dispose()
    {
        _home.Dispose();
        _stranger.Dispose();
        _homeIdentity.Dispose();
        _strangerIdentity.Dispose();
    }

    [Theory]
    [InlineData(0, OperationFailure.WrongNetwork)]
    [InlineData(4, OperationFailure.WrongNetwork)]
    [InlineData(30, OperationFailure.NoSeedAnswered)]
    public void A_silent_seeds_earlier_packet_of_another_network_names_the_cause_for_a_few_seconds(int secondsLater, OperationFailure expected)
    {
        // The stranger's bootstrap reaches home first; home drops it as another network's and answers nothing.
        _stranger.Bootstrap(_start, [], [HomeEndPoint]);
        var delivered = 0;
        while (_stranger.PollTransmit(out var transmit))
        {
            _home.HandleDatagram(_start, StrangerEndPoint, transmit.Packet);
            delivered++;
        }

        Assert.True(delivered > 0, "the stranger sent nothing");
        Assert.True(_home.WrongNetworkDrops > 0, "home did not count another network's packet");

        // Then home bootstraps from the stranger, which drops home's packets in turn: nothing comes back.
        var now = _start + TimeSpan.FromSeconds(secondsLater);
        var query = _home.Bootstrap(now, [], [StrangerEndPoint]);
        var result = RunUntilFinished(query, now);
        Assert.Equal(expected, result.Failure);
    }

    private QueryResult RunUntilFinished(QueryId query, DateTimeOffset now)
    {
        for (var step = 0; step < 10_000; step++)
        {
            while (_home.PollTransmit(out _))
            {
                // lost: the stranger would drop it anyway
            }

            while (_home.PollEvent(out var engineEvent))
            {
                if (engineEvent is QueryFinished finished && finished.Query == query)
                {
                    return finished.Result;
                }
            }

            now = _home.NextTimeout() is { } due && due > now ? due : now + TimeSpan.FromMilliseconds(100);
            _home.HandleTimeout(now);
        }

        throw new InvalidOperationException("the bootstrap did not finish");
    }
}
