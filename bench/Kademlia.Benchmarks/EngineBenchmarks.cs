using System.Net;
using BenchmarkDotNet.Attributes;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Routing;
using Kademlia.Wire;

namespace Kademlia.Benchmarks;

/// <summary>
/// One authenticated PING/PONG between two engines in memory, on an established session: the request
/// path of issue 18 (allocated bytes per round trip is the number to drive to zero).
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmarks : IDisposable
{
    private static readonly IPEndPoint AddressA = IPEndPoint.Parse("127.0.0.1:4000");
    private static readonly IPEndPoint AddressB = IPEndPoint.Parse("127.0.0.1:4001");
    private NodeIdentity _identityA = null!;
    private NodeIdentity _identityB = null!;
    private KademliaEngine _a = null!;
    private KademliaEngine _b = null!;
    private readonly byte[] _wire = new byte[WireLimits.MaxPacketSize];
    private DateTimeOffset _now = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [GlobalSetup]
    public void Setup()
    {
        var network = NetworkParameters.Test;
        _identityA = NodeIdentity.Generate(network);
        _identityB = NodeIdentity.Generate(network);
        var quiet = new EngineOptions { Network = network, Mode = NodeMode.Server, DiscoverReachability = false };
        _a = new KademliaEngine(_identityA, quiet with { AdvertisedEndpoint = NodeEndpoint.FromIPEndPoint(AddressA) });
        _b = new KademliaEngine(_identityB, quiet with { AdvertisedEndpoint = NodeEndpoint.FromIPEndPoint(AddressB) });
        PingPong(); // the handshake, outside the measurement
    }

    /// <summary>A PING from A to B over the session and B's PONG back, to A's <see cref="PingResult"/> in a <see cref="QueryFinished"/> event.</summary>
    [Benchmark(Baseline = true)]
    public bool PingPong()
    {
        var query = _a.Ping(Tick(), _b.LocalInfo);
        for (var round = 0; round < 8; round++)
        {
            Shuttle();
            while (_a.PollEvent(out var e))
            {
                if (e is QueryFinished finished && finished.Query == query)
                {
                    return finished.Result.Succeeded;
                }
            }
        }

        throw new InvalidOperationException("the ping did not finish");
    }

    /// <summary>The same round trip read as a <see cref="PingCompletion"/>: the allocation-free path (0 B expected).</summary>
    [Benchmark]
    public bool PingPongCompletion()
    {
        var query = _a.PingWithCompletion(Tick(), _b.LocalInfo);
        for (var round = 0; round < 8; round++)
        {
            Shuttle();
            while (_a.PollEvent(out _))
            {
            }

            if (_a.PollPingCompletion(out var completion) && completion.Query == query)
            {
                return completion.Succeeded;
            }
        }

        throw new InvalidOperationException("the ping did not finish");
    }

    private DateTimeOffset Tick() => _now += TimeSpan.FromMilliseconds(1);

    /// <summary>Runs due timers as a host does (they drop expired wake-ups), then carries each side's datagrams to the other.</summary>
    private void Shuttle()
    {
        foreach (var engine in (ReadOnlySpan<KademliaEngine>)[_a, _b])
        {
            if (engine.NextTimeout() <= _now)
            {
                engine.HandleTimeout(_now);
            }
        }

        // The caller's buffer, as a host with one send buffer does: no array per datagram.
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

    /// <inheritdoc/>
    public void Dispose()
    {
        _a?.Dispose();
        _b?.Dispose();
        _identityA?.Dispose();
        _identityB?.Dispose();
        GC.SuppressFinalize(this);
    }
}
