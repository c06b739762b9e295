using System.Net;
using Kademlia.Mainline;
using Kademlia.Tests.Sessions;

namespace Kademlia.Tests.Mainline;

/// <summary>
/// Mainline engines wired in memory in virtual time: every datagram arrives after <see cref="Latency"/>,
/// timeouts fire when nothing is in the air. Deterministic for a given seed.
/// </summary>
internal sealed class MainlineTestNetwork
{
    private readonly PriorityQueue<(NodeEndpoint From, NodeEndpoint To, byte[] Data), (DateTimeOffset, long)> _air = new();
    private readonly Dictionary<MainlineEngine, NodeEndpoint> _endpoints = [];
    private readonly Dictionary<MainlineEngine, List<MainlineOperationResult>> _completions = [];
    private long _sequence;

    public static readonly DateTimeOffset Start = new(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);

    public DateTimeOffset Now { get; private set; } = Start;

    public TimeSpan Latency { get; init; } = TimeSpan.FromMilliseconds(2);

    public Dictionary<NodeEndpoint, MainlineEngine> Engines { get; } = [];

    /// <summary>Endpoints whose datagrams vanish (dead nodes).</summary>
    public HashSet<NodeEndpoint> Silent { get; } = [];

    /// <summary>Every datagram sent, in order.</summary>
    public List<(NodeEndpoint From, NodeEndpoint To, byte[] Data)> Sent { get; } = [];

    public static MainlineEngineOptions LoopbackOptions => new() { ExemptLoopbackFromDiversityLimits = true, MinRequestTimeout = TimeSpan.FromMilliseconds(50) };

    public static NodeEndpoint Loopback(int i) => new(IPAddress.Loopback, 10_000 + i);

    public MainlineEngine Add(NodeEndpoint endpoint, MainlineEngineOptions? options = null, int seed = 0)
    {
        seed = seed == 0 ? Engines.Count + 1 : seed;
        var engine = new MainlineEngine(options ?? LoopbackOptions, Now, new Random(seed), new SeededRandomSource(seed));
        Engines.Add(endpoint, engine);
        _endpoints.Add(engine, endpoint);
        _completions.Add(engine, []);
        return engine;
    }

    public NodeEndpoint EndpointOf(MainlineEngine engine) => _endpoints[engine];

    /// <summary>Builds <paramref name="count"/> loopback nodes; each one after the first bootstraps from the first.</summary>
    public List<MainlineEngine> Build(int count, Func<int, MainlineEngineOptions>? options = null)
    {
        var engines = new List<MainlineEngine>();
        for (var i = 0; i < count; i++)
        {
            var engine = Add(Loopback(i), options?.Invoke(i));
            engines.Add(engine);
            if (i > 0)
            {
                Run(engine, engine.StartBootstrap([Loopback(0)], Now));
            }
        }

        return engines;
    }

    /// <summary>Runs the network until <paramref name="engine"/> reports <paramref name="operationId"/>, within a virtual minute.</summary>
    public MainlineOperationResult Run(MainlineEngine engine, long operationId)
    {
        Flush(engine);
        var limit = Now + TimeSpan.FromMinutes(1);
        for (var steps = 0; steps < 1_000_000; steps++)
        {
            var done = _completions[engine].Find(r => r.OperationId == operationId);
            if (done is not null)
            {
                return done;
            }

            if (!Step(limit))
            {
                break;
            }
        }

        throw new InvalidOperationException($"Operation {operationId} did not finish within a virtual minute.");
    }

    /// <summary>Delivers what is in the air and fires timeouts up to <paramref name="until"/>.</summary>
    public void RunFor(TimeSpan duration)
    {
        var limit = Now + duration;
        for (var steps = 0; steps < 1_000_000 && Step(limit); steps++)
        {
        }

        Now = limit;
    }

    /// <summary>Hands <paramref name="data"/> to <paramref name="engine"/> as if from <paramref name="from"/>, and returns what it sent back.</summary>
    public List<MainlineTransmit> Inject(MainlineEngine engine, NodeEndpoint from, byte[] data)
    {
        engine.Receive(data, from, Now);
        var sent = new List<MainlineTransmit>();
        while (engine.TryDequeueTransmit(out var transmit))
        {
            sent.Add(transmit);
        }

        while (engine.TryDequeueCompletion(out var result))
        {
            _completions[engine].Add(result);
        }

        return sent;
    }

    private bool Step(DateTimeOffset limit)
    {
        var nextTimeout = DateTimeOffset.MaxValue;
        foreach (var engine in Engines.Values)
        {
            nextTimeout = engine.NextTimeout < nextTimeout ? engine.NextTimeout : nextTimeout;
        }

        if (_air.TryPeek(out var datagram, out var key) && key.Item1 <= nextTimeout && key.Item1 <= limit)
        {
            _air.Dequeue();
            Now = key.Item1 > Now ? key.Item1 : Now;
            if (!Silent.Contains(datagram.To) && Engines.TryGetValue(datagram.To, out var to))
            {
                to.Receive(datagram.Data, datagram.From, Now);
                Flush(to);
            }

            return true;
        }

        if (nextTimeout > limit)
        {
            return false;
        }

        Now = nextTimeout > Now ? nextTimeout : Now;
        foreach (var engine in Engines.Values)
        {
            if (engine.NextTimeout <= Now)
            {
                engine.HandleTimeout(Now);
                Flush(engine);
            }
        }

        return true;
    }

    private void Flush(MainlineEngine engine)
    {
        var from = _endpoints[engine];
        while (engine.TryDequeueTransmit(out var transmit))
        {
            Sent.Add((from, transmit.To, transmit.Datagram));
            if (!Silent.Contains(from))
            {
                _air.Enqueue((from, transmit.To, transmit.Datagram), (Now + Latency, _sequence++));
            }
        }

        while (engine.TryDequeueCompletion(out var result))
        {
            _completions[engine].Add(result);
        }
    }
}
