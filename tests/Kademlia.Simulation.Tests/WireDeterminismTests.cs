using Kademlia.Engine;
using Kademlia.Identity;

namespace Kademlia.Simulation.Tests;

public class WireDeterminismTests
{
    [Fact]
    public void Two_wire_runs_with_one_seed_deliver_the_same_datagrams_at_the_same_times()
    {
        // The digest covers every datagram's bytes, so it differs unless the session layer's ephemeral
        // keys and indexes come from the run's seed too.
        var options = new SimulationOptions { Nodes = 12, Seed = 31, Lookups = 8, Gets = 8, Records = 3, LossRate = 0.02 };

        var first = WireSimulator.Run(options);
        var second = WireSimulator.Run(options);
        var other = WireSimulator.Run(options with { Seed = 32 });

        Assert.NotNull(first.TraceDigest);
        Assert.Equal(first.TraceDigest, second.TraceDigest);
        Assert.Equal(first.ToJson(), second.ToJson());
        Assert.NotEqual(first.TraceDigest, other.TraceDigest);
    }

    [Fact]
    public void A_ping_on_the_wire_takes_the_round_trip_of_the_latency_model()
    {
        using var network = new EngineNetwork(seed: 33, NetworkParameters.Test, TimeSpan.FromMilliseconds(50));
        var a = network.AddNode();
        var b = network.AddNode();

        var pong = Runs.Run<PingResult>(network, a, (engine, now) => engine.Ping(now, b.Info));

        // One RTT for a request and its answer, as the message level charges (each direction half, to the tick).
        var expected = network.Latency.RoundTrip(a.Index, a.LatencyShare, b.Index, b.LatencyShare);
        Assert.Equal(expected, network.RoundTrip(a, b));
        Assert.InRange(pong.Rtt.Ticks, expected.Ticks - 1, expected.Ticks + 1);
    }

    [Fact]
    public void A_processing_delay_on_the_wire_adds_its_mean_to_each_round_trip()
    {
        // Each handled datagram delays what the node sends in reply by an exponential draw: a PONG leaves the
        // responder that much later, so over many pings the round trips exceed the latency model by the mean.
        using var network = new EngineNetwork(seed: 34, NetworkParameters.Test, TimeSpan.FromMilliseconds(50)) { ProcessingDelay = TimeSpan.FromMilliseconds(5) };
        var a = network.AddNode();
        var b = network.AddNode();
        var expected = network.Latency.RoundTrip(a.Index, a.LatencyShare, b.Index, b.LatencyShare);

        var extra = new List<double>();
        for (var i = 0; i < 300; i++)
        {
            var pong = Runs.Run<PingResult>(network, a, (engine, now) => engine.Ping(now, b.Info));
            Assert.True(pong.Rtt >= expected - TimeSpan.FromTicks(1), $"ping {i}: {pong.Rtt.TotalMilliseconds} ms < the quiet RTT {expected.TotalMilliseconds} ms");
            extra.Add((pong.Rtt - expected).TotalMilliseconds);
        }

        Assert.InRange(extra.Average(), 4.0, 6.0);
        Assert.True(extra.Max() > 10, $"an exponential delay of mean 5 ms exceeds 10 ms in 300 draws about 40 times; max seen {extra.Max():F1} ms");
    }
}
