using System.Net;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Routing;
using Kademlia.Wire;
using Xunit;

namespace Kademlia.Tests.Engine;

/// <summary>
/// The steady-state request path allocates nothing: a PING/PONG between two engines on an established
/// session, with the caller's transmit buffer and the ping's outcome read as a <see cref="PingCompletion"/>,
/// allocates no managed memory per round trip on the calling thread (issue 18, item 2; bench/EngineBenchmarks
/// measures the same).
/// </summary>
public sealed class PingAllocationTests : IDisposable
{
    private static readonly IPEndPoint AddressA = IPEndPoint.Parse("127.0.0.1:4000");
    private static readonly IPEndPoint AddressB = IPEndPoint.Parse("127.0.0.1:4001");
    private readonly NodeIdentity _identityA = NodeIdentity.Generate(NetworkParameters.Test);
    private readonly NodeIdentity _identityB = NodeIdentity.Generate(NetworkParameters.Test);
    private readonly KademliaEngine _a;
    private readonly KademliaEngine _b;
    private readonly byte[] _wire = new byte[WireLimits.MaxPacketSize];
    private DateTimeOffset _now = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public PingAllocationTests()
    {
        var quiet = new EngineOptions { Network = NetworkParameters.Test, Mode = NodeMode.Server, DiscoverReachability = false };
        _a = new KademliaEngine(_identityA, quiet with { AdvertisedEndpoint = NodeEndpoint.FromIPEndPoint(AddressA) });
        _b = new KademliaEngine(_identityB, quiet with { AdvertisedEndpoint = NodeEndpoint.FromIPEndPoint(AddressB) });
    }

    [Fact]
    public void A_ping_pong_on_an_established_session_allocates_nothing()
    {
        // Warm up: the handshake, the pools, the queues' capacities and the JIT's first tier.
        for (var i = 0; i < 20_000; i++)
        {
            Assert.True(PingPong().Succeeded);
        }

        const int RoundTrips = 20_000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var succeeded = 0;
        for (var i = 0; i < RoundTrips; i++)
        {
            succeeded += PingPong().Succeeded ? 1 : 0;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(RoundTrips, succeeded);
        // Anything allocated per round trip, even one 24-byte object, would come to 480,000 B here. A
        // few hundred bytes in all are not the request path: the engines' periodic timer work during the
        // 20 s of virtual time, or the runtime itself (seen: 256 B once while other tests ran in parallel).
        Assert.True(allocated <= 4_096, $"{allocated} B allocated over {RoundTrips} round trips ({(double)allocated / RoundTrips:F2} B each)");
    }

    [Fact]
    public void A_completion_carries_the_same_outcome_as_the_ping_result()
    {
        var first = PingPong();
        Assert.True(first.Succeeded);
        Assert.Equal(_b.LocalInfo.Id, first.Peer!.Value.Id);
        Assert.Equal(NodeEndpoint.FromIPEndPoint(AddressA), first.ObservedEndpoint);
        Assert.True(first.MessagesSent >= 1);

        // The same ping through the event path reports the same peer and observed endpoint.
        var result = PingByEvent();
        Assert.Equal(first.Peer!.Value.Id, result.Peer!.Value.Id);
        Assert.Equal(first.ObservedEndpoint, result.ObservedEndpoint);
        Assert.False(_a.PollPingCompletion(out _));
    }

    [Fact]
    public void An_unanswered_ping_completes_as_failed_after_its_attempts()
    {
        var query = _a.PingWithCompletion(_now, _b.LocalInfo);
        PingCompletion completion = default;
        for (var step = 0; step < 100 && !_a.PollPingCompletion(out completion); step++)
        {
            while (_a.PollTransmit(_wire, out _, out _))
            {
                // B never hears it.
            }

            _now += TimeSpan.FromSeconds(1);
            _a.HandleTimeout(_now);
        }

        Assert.Equal(query, completion.Query);
        Assert.False(completion.Succeeded);
        Assert.Null(completion.Peer);
        Assert.Equal(3, completion.MessagesSent);
    }

    /// <summary>One ping to B and its completion, with no lambda or closure (they would allocate here).</summary>
    private PingCompletion PingPong()
    {
        _now += TimeSpan.FromMilliseconds(1);
        var query = _a.PingWithCompletion(_now, _b.LocalInfo);
        for (var round = 0; round < 8; round++)
        {
            Shuttle();
            while (_a.PollEvent(out _))
            {
            }

            if (_a.PollPingCompletion(out var completion))
            {
                // Not Assert.Equal: xunit's comparer may allocate, and this runs inside the measurement.
                return completion.Query == query ? completion : throw new InvalidOperationException("another ping completed");
            }
        }

        throw new InvalidOperationException("the ping did not finish");
    }

    private PingResult PingByEvent()
    {
        _now += TimeSpan.FromMilliseconds(1);
        var query = _a.Ping(_now, _b.LocalInfo);
        for (var round = 0; round < 8; round++)
        {
            Shuttle();
            while (_a.PollEvent(out var e))
            {
                if (e is QueryFinished finished && finished.Query == query)
                {
                    return (PingResult)finished.Result;
                }
            }
        }

        throw new InvalidOperationException("the ping did not finish");
    }

    /// <summary>Delivers what each engine has to send to the other, and runs their timers as a host does when due.</summary>
    private void Shuttle()
    {
        foreach (var engine in (ReadOnlySpan<KademliaEngine>)[_a, _b])
        {
            if (engine.NextTimeout() <= _now)
            {
                engine.HandleTimeout(_now);
            }
        }

        while (_a.PollTransmit(_wire, out _, out var toB))
        {
            _b.HandleDatagram(_now, AddressA, _wire.AsSpan(0, toB));
        }

        while (_b.PollTransmit(_wire, out _, out var toA))
        {
            _a.HandleDatagram(_now, AddressB, _wire.AsSpan(0, toA));
        }

        while (_b.PollEvent(out _))
        {
        }
    }

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
        _identityA.Dispose();
        _identityB.Dispose();
    }
}
