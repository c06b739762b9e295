using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Routing;

namespace Kademlia.Simulation;

/// <summary>
/// The full-wire mode of the simulator: real <see cref="KademliaEngine"/>s (codec, sessions,
/// lookups, stores) exchanging real datagrams through a discrete-event network on a virtual clock.
/// Single-threaded; one seed fixes node identities, latencies, losses, NAT ports, every engine's random
/// choices (request IDs, refresh targets, session keys and indexes) and the order of events, so the same
/// seed replays the same datagrams at the same virtual times (<see cref="TraceDigest"/>).
/// </summary>
/// <remarks>
/// <para>
/// Addresses tell a node's place at a glance. A public node listens on 127.0.0.1 (or, with
/// <see cref="DistinctPublicAddresses"/>, on 198.x.y.1 in a /24 of its own) at port 10000 + its index.
/// The n-th NAT (<see cref="AddNat"/>) has the outside address 203.x.y.1 and the private network
/// 10.x.y.0/24, x.y being n in two bytes; its hosts are 10.x.y.2, 10.x.y.3, … at port 10000 + their index.
/// Every public host and NAT is in its own /24 (loopback aside), so IP-diversity limits and prefix votes
/// see distinct peers. Private addresses are routed only between hosts behind the same NAT.
/// </para>
/// <para>
/// A datagram from a node behind a NAT is translated when it is sent (the NAT sits at the sender's edge)
/// and a datagram to a NAT's outside address is filtered when it arrives, so a mapping that times out
/// while a datagram is in flight drops it. Hosts behind one NAT share its access-link latency; between
/// them a datagram takes <see cref="LanDelay"/>.
/// </para>
/// <para>
/// Latency follows the <see cref="LatencyModel"/> of the message level: a datagram between two access links
/// takes half their round trip, so a request and its answer take one RTT, as at the message level.
/// </para>
/// </remarks>
public sealed class EngineNetwork : IDisposable
{
    /// <summary>The one-way delay between two hosts behind the same NAT.</summary>
    public static readonly TimeSpan LanDelay = TimeSpan.FromMilliseconds(0.5);

    private const int FirstPort = 10_000;

    /// <summary>Hosts behind one NAT: 10.x.y.2 to 10.x.y.254.</summary>
    private const int MaxHostsPerNat = 253;

    private readonly PriorityQueue<ScheduledEvent, (long Ticks, long Sequence)> _queue = new();
    private readonly Dictionary<IPEndPoint, SimulatedEngine> _byEndpoint = [];
    private readonly Dictionary<IPAddress, NatSite> _natsByAddress = [];
    private readonly List<NatSite> _natSites = [];
    private readonly List<Nat> _nats = [];
    private readonly List<SimulatedEngine> _nodes = [];
    private readonly Random _random;
    private readonly IncrementalHash _trace = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private int _publicHosts;
    private long _sequence;

    /// <summary>Creates an empty network.</summary>
    /// <param name="seed">Fixes everything random in the run.</param>
    /// <param name="network">The network's parameters (use a cheap proof-of-work).</param>
    /// <param name="medianRtt">About the median round-trip time between two nodes (<see cref="LatencyModel"/>).</param>
    /// <param name="lossRate">Probability that a datagram is lost.</param>
    /// <param name="latencySigma">Standard deviation of the logarithm of a node's share of the round trip (<see cref="LatencyModel.NodeSigma"/>).</param>
    /// <param name="jitterSigma">Standard deviation of the logarithm of the per-datagram jitter factor (0: none).</param>
    public EngineNetwork(int seed, NetworkParameters network, TimeSpan medianRtt, double lossRate = 0, double latencySigma = 0.5, double jitterSigma = 0)
    {
        ArgumentNullException.ThrowIfNull(network);
        Seed = seed;
        Network = network;
        LossRate = lossRate;
        Latency = new LatencyModel(seed, medianRtt, latencySigma, jitterSigma);
        _random = new Random(seed);
    }

    /// <summary>A bound on the events one wait may process, so a spinning state machine fails loudly instead of hanging.</summary>
    public long MaxEventsPerRun { get; set; } = 5_000_000;

    /// <summary>
    /// Whether public nodes get non-loopback addresses, each in a /24 of its own (198.x.y.1), so that they are
    /// subject to the IP-diversity limits and count as distinct prefixes. Defaults to false (all on 127.0.0.1,
    /// which <see cref="NetworkParameters.Test"/> exempts from the limits).
    /// </summary>
    public bool DistinctPublicAddresses { get; init; }

    /// <summary>
    /// Mean time a node takes to handle a datagram before what it sends in reply leaves (exponential, one
    /// draw per handled datagram, shared by everything it emits then); what a timer emits leaves at once.
    /// The message level draws one such delay per request at the peer; here the asker's handling of the
    /// answer is delayed too, one extra delay per hop (1 ms against a 50 ms RTT by default). Defaults to
    /// zero, which draws nothing (runs without it keep their traces).
    /// </summary>
    public TimeSpan ProcessingDelay { get; init; }

    /// <summary>The seed of the run.</summary>
    public int Seed { get; }

    /// <summary>The network's parameters.</summary>
    public NetworkParameters Network { get; }

    /// <summary>The nominal median round-trip time between two nodes.</summary>
    public TimeSpan MedianRtt => Latency.MedianRtt;

    /// <summary>The latency model (the message level's).</summary>
    public LatencyModel Latency { get; }

    /// <summary>
    /// A digest (SHA-256, hex) of every datagram delivered so far: its virtual time, receiver, source endpoint
    /// and bytes. Two runs with the same seed and the same calls have the same digest.
    /// </summary>
    public string TraceDigest => Convert.ToHexString(_trace.GetCurrentHash());

    /// <summary>Probability that a datagram is lost.</summary>
    public double LossRate { get; set; }

    /// <summary>The virtual time.</summary>
    public DateTimeOffset Now { get; private set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Datagrams delivered so far.</summary>
    public long Delivered { get; private set; }

    /// <summary>
    /// Datagrams lost: by the loss model, to a stopped node, or to an address no node has (or a private
    /// address of another NAT). Datagrams a NAT drops are counted by the NAT (<see cref="Nat.InboundDropped"/>).
    /// </summary>
    public long Lost { get; private set; }

    /// <summary>Events processed so far.</summary>
    public long EventsProcessed { get; private set; }

    /// <summary>The nodes, in creation order.</summary>
    public IReadOnlyList<SimulatedEngine> Nodes => _nodes;

    /// <summary>The NATs, in creation order.</summary>
    public IReadOnlyList<Nat> Nats => _nats;

    /// <summary>
    /// Adds a node with a fresh deterministic identity: a public one on its own port, or, when
    /// <paramref name="nat"/> is given, one behind a NAT of its own with that behaviour (see <see cref="AddNat"/>).
    /// </summary>
    /// <remarks>
    /// A node behind a NAT advertises its inside endpoint (all it knows); peers see its datagrams come
    /// from the NAT's outside endpoint.
    /// </remarks>
    public SimulatedEngine AddNode(EngineOptions? options = null, NatBehavior? nat = null)
    {
        if (nat is not null)
        {
            return AddNodeBehind(AddNat(nat), options);
        }

        var identity = DeterministicIdentities.Create(_random, Network);
        var address = DistinctPublicAddresses ? SubnetHost(198, _publicHosts, 1) : IPAddress.Loopback;
        _publicHosts++;
        return Add(identity, new IPEndPoint(address, FirstPort + _nodes.Count), Latency.DrawShare(_random), _nodes.Count, null, options);
    }

    /// <summary>
    /// Adds a NAT with the next outside address (203.x.y.1) and private network (10.x.y.0/24); put nodes
    /// behind it with <see cref="AddNodeBehind"/>. Its outside ports are drawn from a generator seeded by the run's.
    /// </summary>
    public Nat AddNat(NatBehavior? behavior = null)
    {
        var index = _natSites.Count;
        var outside = SubnetHost(203, index, 1);
        var share = Latency.DrawShare(_random);
        var nat = new Nat(behavior ?? new NatBehavior(), outside, _random.Next());
        var site = new NatSite(nat, index, share);
        _natSites.Add(site);
        _nats.Add(nat);
        _natsByAddress[nat.OutsideAddress] = site;
        return nat;
    }

    /// <summary>Adds a node with a fresh deterministic identity behind <paramref name="nat"/>, which <see cref="AddNat"/> created.</summary>
    public SimulatedEngine AddNodeBehind(Nat nat, EngineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(nat);
        if (!_natsByAddress.TryGetValue(nat.OutsideAddress, out var site) || site.Nat != nat)
        {
            throw new ArgumentException("The NAT belongs to another network.", nameof(nat));
        }

        if (site.Hosts == MaxHostsPerNat)
        {
            throw new InvalidOperationException($"The NAT at {nat.OutsideAddress} holds at most {MaxHostsPerNat} hosts.");
        }

        var identity = DeterministicIdentities.Create(_random, Network);
        var inside = new IPEndPoint(SubnetHost(10, site.Index, 2 + site.Hosts), FirstPort + _nodes.Count);
        site.Hosts++;
        return Add(identity, inside, site.LatencyShare, site.LatencyKey, nat, options);
    }

    /// <summary>
    /// The endpoint <paramref name="destination"/> would see <paramref name="node"/>'s next datagram come
    /// from: its own endpoint for a public node; behind a NAT, the outside endpoint of the live mapping
    /// towards <paramref name="destination"/>, or null when there is none (the next datagram creates one).
    /// </summary>
    public IPEndPoint? ExternalEndPoint(SimulatedEngine node, IPEndPoint destination)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(destination);
        return node.Nat is { } nat ? nat.FindOutside(Now, node.EndPoint, destination) : node.EndPoint;
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

    /// <summary>
    /// Stops a node: it no longer receives or sends anything. Its NAT, if any, keeps running: mappings
    /// live out their idle timeout, and what they admit meanwhile is lost at the stopped host. (To
    /// model a router reboot instead, call <see cref="Nat.Reset"/>.)
    /// </summary>
    public void Stop(SimulatedEngine node)
    {
        ArgumentNullException.ThrowIfNull(node);
        node.IsStopped = true;
    }

    /// <summary>
    /// Starts a stopped node again, with the state it had (a process restarted with its data). Behind a NAT
    /// its next datagram gets a new outside port if its mapping expired while it was down.
    /// </summary>
    public void Resume(SimulatedEngine node)
    {
        ArgumentNullException.ThrowIfNull(node);
        node.IsStopped = false;
        node.TimerAt = null;
        Pump(node);
    }

    /// <summary>
    /// Restarts a node as a new process would: a new engine with the same identity, endpoint and options,
    /// and nothing else of the old one's state (an empty table and store, no sessions). <paramref name="beforeStart"/>
    /// runs on the new engine before its first timer, as a host restoring saved state would. Datagrams in
    /// flight to the old engine are lost.
    /// </summary>
    /// <returns>The node that replaces <paramref name="node"/> in <see cref="Nodes"/>.</returns>
    public SimulatedEngine Restart(SimulatedEngine node, Action<KademliaEngine, DateTimeOffset>? beforeStart = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        node.IsStopped = true;
        var engine = new KademliaEngine(node.Identity, node.Engine.Options, random: new Random(_random.Next()));
        node.Engine.Dispose(); // the identity is the new engine's now
        var restarted = new SimulatedEngine(node.Index, node.Identity, engine, node.EndPoint, node.LatencyShare, node.LatencyKey, node.Nat);
        _nodes[node.Index] = restarted;
        _byEndpoint[node.EndPoint] = restarted;
        beforeStart?.Invoke(engine, Now);
        Pump(restarted);
        return restarted;
    }

    /// <summary>
    /// The quiet round trip between two nodes: <see cref="LatencyModel.RoundTrip"/> between their access links,
    /// or two <see cref="LanDelay"/>s behind the same NAT.
    /// </summary>
    public TimeSpan RoundTrip(SimulatedEngine a, SimulatedEngine b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Nat is not null && a.Nat == b.Nat ? 2 * LanDelay : Latency.RoundTrip(a.LatencyKey, a.LatencyShare, b.LatencyKey, b.LatencyShare);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _trace.Dispose();
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
        if (next.Nat is { } nat)
        {
            if (!nat.TryTranslateInbound(Now, next.From!, next.To!, out var inside))
            {
                return true; // counted by the NAT
            }

            node = _byEndpoint[inside];
        }

        if (node!.IsStopped)
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
            AppendToTrace(node, next.From!, datagram);
            node.Engine.HandleDatagram(Now, next.From!, datagram);
            Pump(node, DrawProcessingDelay());
            return true;
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

    private TimeSpan DrawProcessingDelay() =>
        ProcessingDelay <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromTicks((long)(ProcessingDelay.Ticks * -Math.Log(1.0 - _random.NextDouble())));

    /// <summary>Sends what the engine emitted (<paramref name="processing"/> after now), collects its events and re-arms its timer.</summary>
    private void Pump(SimulatedEngine node, TimeSpan processing = default)
    {
        while (node.Engine.PollTransmit(out var transmit))
        {
            Send(node, (IPEndPoint)transmit.Destination, transmit.Packet, processing);
        }

        while (node.Engine.PollEvent(out var engineEvent))
        {
            node.Record(engineEvent!);
        }

        if (node.Engine.NextTimeout() is { } next && (node.TimerAt is null || next < node.TimerAt))
        {
            var at = next < Now ? Now : next;
            node.TimerAt = at;
            Schedule(at, new ScheduledEvent(node, null, null, null, null));
        }
    }

    /// <summary>Routes one datagram: between hosts of one NAT directly, else through the sender's NAT (if any) to a public node or a NAT's outside address.</summary>
    private void Send(SimulatedEngine node, IPEndPoint destination, byte[] packet, TimeSpan processing)
    {
        if (node.IsStopped)
        {
            Lost++;
            return;
        }

        var target = _byEndpoint.GetValueOrDefault(destination);
        if (node.Nat is { } nat && target?.Nat == nat)
        {
            Schedule(Now + processing + LanDelay, new ScheduledEvent(target, null, null, node.EndPoint, packet));
            return;
        }

        // Translated before the loss draw: the NAT is at the sender's edge, losses happen beyond it.
        var source = node.Nat is { } outbound ? outbound.TranslateOutbound(Now, node.EndPoint, destination) : node.EndPoint;
        if (_random.NextDouble() < LossRate)
        {
            Lost++;
        }
        else if (_natsByAddress.TryGetValue(destination.Address, out var site))
        {
            Schedule(Now + processing + Latency.OneWay(node.LatencyKey, node.LatencyShare, site.LatencyKey, site.LatencyShare, _random), new ScheduledEvent(null, site.Nat, destination, source, packet));
        }
        else if (target is { Nat: null })
        {
            Schedule(Now + processing + Latency.OneWay(node.LatencyKey, node.LatencyShare, target.LatencyKey, target.LatencyShare, _random), new ScheduledEvent(target, null, null, source, packet));
        }
        else
        {
            Lost++;
        }
    }

    private SimulatedEngine Add(NodeIdentity identity, IPEndPoint endpoint, TimeSpan share, int latencyKey, Nat? nat, EngineOptions? options)
    {
        // A public node advertises where it is; one behind a NAT knows only its inside address, so it
        // advertises nothing and learns its public endpoint from its peers (unless told otherwise).
        var engineOptions = (options ?? new EngineOptions()) with
        {
            Network = Network,
            AdvertisedEndpoint = nat is null ? NodeEndpoint.FromIPEndPoint(endpoint) : options?.AdvertisedEndpoint ?? default,
        };
        var node = new SimulatedEngine(_nodes.Count, identity, new KademliaEngine(identity, engineOptions, random: new Random(_random.Next())), endpoint, share, latencyKey, nat);
        _nodes.Add(node);
        _byEndpoint[endpoint] = node;
        Pump(node);
        return node;
    }

    private void AppendToTrace(SimulatedEngine node, IPEndPoint from, byte[] datagram)
    {
        Span<byte> header = stackalloc byte[8 + 4 + 16 + 4 + 4];
        BinaryPrimitives.WriteInt64LittleEndian(header, Now.UtcTicks);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], node.Index);
        header.Slice(12, 16).Clear();
        from.Address.TryWriteBytes(header.Slice(12, 16), out _);
        BinaryPrimitives.WriteInt32LittleEndian(header[28..], from.Port);
        BinaryPrimitives.WriteInt32LittleEndian(header[32..], datagram.Length);
        _trace.AppendData(header);
        _trace.AppendData(datagram);
    }

    /// <summary>The address <paramref name="first"/>.x.y.<paramref name="host"/>, x.y being <paramref name="subnet"/> in two bytes.</summary>
    private static IPAddress SubnetHost(int first, int subnet, int host)
    {
        if (subnet > ushort.MaxValue)
        {
            throw new InvalidOperationException($"No more /24s under {first}.0.0.0/8.");
        }

        return new IPAddress([(byte)first, (byte)(subnet >> 8), (byte)subnet, (byte)host]);
    }

    private void Schedule(DateTimeOffset at, ScheduledEvent scheduled) => _queue.Enqueue(scheduled, (at.UtcTicks, _sequence++));

    /// <summary>A timer (node, no datagram), a delivery to a node, or an arrival at a NAT's outside endpoint <c>To</c>.</summary>
    private sealed record ScheduledEvent(SimulatedEngine? Node, Nat? Nat, IPEndPoint? To, IPEndPoint? From, byte[]? Datagram);

    /// <summary>A NAT with its place in the address plan, its access link and how many hosts it holds.</summary>
    private sealed class NatSite(Nat nat, int index, TimeSpan latencyShare)
    {
        public Nat Nat { get; } = nat;

        public int Index { get; } = index;

        public TimeSpan LatencyShare { get; } = latencyShare;

        /// <summary>The access link's key in the latency model: negative, apart from the public nodes' indexes.</summary>
        public int LatencyKey => -1 - Index;

        public int Hosts { get; set; }
    }
}
