using System.Net;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Routing;

namespace Kademlia.Simulation;

/// <summary>
/// The full-wire mode of the simulator: real <see cref="KademliaEngine"/>s (codec, sessions,
/// lookups, stores) exchanging real datagrams through a discrete-event network on a virtual clock.
/// Single-threaded; one seed fixes node identities, latencies, losses and the order of events.
/// </summary>
public sealed class EngineNetwork : IDisposable
{
    private readonly PriorityQueue<ScheduledEvent, (long Ticks, long Sequence)> _queue = new();
    private readonly Dictionary<IPEndPoint, SimulatedEngine> _byEndpoint = [];
    private readonly List<SimulatedEngine> _nodes = [];
    private readonly Random _random;
    private long _sequence;

    /// <summary>Creates an empty network.</summary>
    /// <param name="seed">Fixes everything random in the run.</param>
    /// <param name="network">The network's parameters (use a cheap proof-of-work).</param>
    /// <param name="medianRtt">Median round-trip time between two nodes (log-normal around it).</param>
    /// <param name="lossRate">Probability that a datagram is lost.</param>
    public EngineNetwork(int seed, NetworkParameters network, TimeSpan medianRtt, double lossRate = 0)
    {
        ArgumentNullException.ThrowIfNull(network);
        Seed = seed;
        Network = network;
        MedianRtt = medianRtt;
        LossRate = lossRate;
        _random = new Random(seed);
    }

    /// <summary>A bound on the events one wait may process, so a spinning state machine fails loudly instead of hanging.</summary>
    public long MaxEventsPerRun { get; set; } = 5_000_000;

    /// <summary>The seed of the run.</summary>
    public int Seed { get; }

    /// <summary>The network's parameters.</summary>
    public NetworkParameters Network { get; }

    /// <summary>Median round-trip time between two nodes.</summary>
    public TimeSpan MedianRtt { get; }

    /// <summary>Probability that a datagram is lost.</summary>
    public double LossRate { get; set; }

    /// <summary>The virtual time.</summary>
    public DateTimeOffset Now { get; private set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Datagrams delivered so far.</summary>
    public long Delivered { get; private set; }

    /// <summary>Datagrams lost (by the loss model or to a stopped node).</summary>
    public long Lost { get; private set; }

    /// <summary>Events processed so far.</summary>
    public long EventsProcessed { get; private set; }

    /// <summary>The nodes, in creation order.</summary>
    public IReadOnlyList<SimulatedEngine> Nodes => _nodes;

    /// <summary>Adds a node with a fresh deterministic identity at 127.0.0.1 on its own port.</summary>
    public SimulatedEngine AddNode(EngineOptions? options = null)
    {
        var identity = DeterministicIdentities.Create(_random, Network);
        var endpoint = new IPEndPoint(IPAddress.Loopback, 10_000 + _nodes.Count);
        var engineOptions = (options ?? new EngineOptions()) with
        {
            Network = Network,
            AdvertisedEndpoint = NodeEndpoint.FromIPEndPoint(endpoint),
        };
        var oneWay = TimeSpan.FromMilliseconds(MedianRtt.TotalMilliseconds / 2 * Math.Exp(0.4 * Distributions.Gaussian(_random)));
        var node = new SimulatedEngine(_nodes.Count, identity, new KademliaEngine(identity, engineOptions, random: new Random(_random.Next())), endpoint, oneWay);
        _nodes.Add(node);
        _byEndpoint[endpoint] = node;
        Pump(node);
        return node;
    }

    /// <summary>Runs <paramref name="operation"/> on <paramref name="node"/> now and returns its query.</summary>
    public QueryId Start(SimulatedEngine node, Func<KademliaEngine, DateTimeOffset, QueryId> operation)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(operation);
        var id = operation(node.Engine, Now);
        Pump(node);
        return id;
    }

    /// <summary>Runs events until <paramref name="query"/> of <paramref name="node"/> finishes or <paramref name="limit"/> of virtual time passes.</summary>
    public QueryResult? RunUntilFinished(SimulatedEngine node, QueryId query, TimeSpan limit)
    {
        ArgumentNullException.ThrowIfNull(node);
        var deadline = Now + limit;
        var budget = MaxEventsPerRun;
        while (true)
        {
            if (node.TakeResult(query) is { } result)
            {
                return result;
            }

            if (!Step(deadline))
            {
                return null;
            }

            if (--budget == 0)
            {
                throw new InvalidOperationException($"No progress after {MaxEventsPerRun} events at {Now:O} (seed {Seed}): the event loop is spinning.");
            }
        }
    }

    /// <summary>Runs all events up to <paramref name="duration"/> from now.</summary>
    public void RunFor(TimeSpan duration)
    {
        var deadline = Now + duration;
        while (Step(deadline))
        {
        }

        Now = deadline;
    }

    /// <summary>Stops a node: it no longer receives or sends anything.</summary>
    public void Stop(SimulatedEngine node)
    {
        ArgumentNullException.ThrowIfNull(node);
        node.IsStopped = true;
    }

    /// <summary>Starts a stopped node again, with the state it had (a process restarted with its data).</summary>
    public void Resume(SimulatedEngine node)
    {
        ArgumentNullException.ThrowIfNull(node);
        node.IsStopped = false;
        node.TimerAt = null;
        Pump(node);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            node.Dispose();
        }
    }

    /// <summary>Processes the next event before <paramref name="deadline"/>; false when there is none.</summary>
    private bool Step(DateTimeOffset deadline)
    {
        if (!_queue.TryPeek(out _, out var at) || at.Ticks > deadline.UtcTicks)
        {
            return false;
        }

        var next = _queue.Dequeue();
        Now = new DateTimeOffset(Math.Max(at.Ticks, Now.UtcTicks), TimeSpan.Zero);
        EventsProcessed++;
        var node = next.Node;
        if (node.IsStopped)
        {
            if (next.Datagram is not null)
            {
                Lost++;
            }

            return true;
        }
        if (next.Datagram is { } datagram)
        {
            Delivered++;
            node.Engine.HandleDatagram(Now, next.From!, datagram);
        }
        else if (node.TimerAt is { } timer && timer.UtcTicks == at.Ticks)
        {
            node.TimerAt = null;
            node.Engine.HandleTimeout(Now);
        }
        else
        {
            return true;
        }
        Pump(node);
        return true;
    }

    /// <summary>Sends what the engine emitted, collects its events and re-arms its timer.</summary>
    private void Pump(SimulatedEngine node)
    {
        while (node.Engine.PollTransmit(out var transmit))
        {
            if (node.IsStopped || _random.NextDouble() < LossRate || !_byEndpoint.TryGetValue((IPEndPoint)transmit.Destination, out var target))
            {
                Lost++;
                continue;
            }

            var delay = node.OneWayLatency + target.OneWayLatency;
            Schedule(Now + delay, new ScheduledEvent(target, node.EndPoint, transmit.Packet));
        }

        while (node.Engine.PollEvent(out var engineEvent))
        {
            node.Record(engineEvent!);
        }

        if (node.Engine.NextTimeout() is { } next && (node.TimerAt is null || next < node.TimerAt))
        {
            var at = next < Now ? Now : next;
            node.TimerAt = at;
            Schedule(at, new ScheduledEvent(node, null, null));
        }
    }

    private void Schedule(DateTimeOffset at, ScheduledEvent scheduled) => _queue.Enqueue(scheduled, (at.UtcTicks, _sequence++));

    private sealed record ScheduledEvent(SimulatedEngine Node, IPEndPoint? From, byte[]? Datagram);
}
