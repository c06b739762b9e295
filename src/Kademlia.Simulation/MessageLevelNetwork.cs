using Kademlia.Identity;
using Kademlia.Lookup;
using Kademlia.Routing;

namespace Kademlia.Simulation;

/// <summary>
/// The message-level mode of the simulator: compact routing tables that answer FIND_NODE, GET and
/// STORE in memory, per-pair latency on a virtual clock, and the real <see cref="DisjointLookup"/>
/// driving every lookup. For 10,000 to 100,000 nodes; one seed reproduces a run bit for bit.
/// </summary>
/// <remarks>
/// <para>What is modelled and what is not.</para>
/// <list type="bullet">
/// <item>IDs are assigned from the seeded generator (no keys, no proof-of-work, no signatures, no
/// codec, no sessions: the full-wire <see cref="EngineNetwork"/> has those).</item>
/// <item>Tables start as those of a network that has run for a while, built cheaply: every bucket
/// takes up to k nodes sampled from the online nodes whose IDs fall in its range (a sorted ID array
/// makes each range two binary searches), within the IP-diversity limits when they are on. Building
/// costs O(N·log N·k), not the O(N²) of every node observing every other.</item>
/// <item>Tables evolve: a queried node learns its querier, a querier learns whoever answered, a
/// contact that did not answer because it is offline, behind a NAT that drops the request or silent is
/// evicted, and a bucket refresh drops unresponsive contacts and refills the buckets from the online nodes
/// in range.</item>
/// <item>A node behind a NAT admits a request only from a peer it sent to within the mapping timeout
/// (<see cref="NatPermissions"/>). In client mode it never enters a routing table (receivers skip it as a
/// candidate, as they skip a request with the engine's client flag); without, it enters tables like any
/// node and costs its askers timeouts.</item>
/// <item>A lookup runs to completion at the instant it starts (the network does not change during
/// its few hundred milliseconds); its virtual duration comes from the latencies and timeouts.</item>
/// </list>
/// </remarks>
public sealed class MessageLevelNetwork
{
    /// <summary>The virtual time at which every run starts.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly List<SimulatedNode> _nodes = [];
    private readonly List<NodeId> _sortedIds = [];
    private readonly List<int> _sortedIndex = [];
    private bool _building = true; // while true, CreateNode appends and the sorted lists are built once, by SortIds
    private readonly Dictionary<NodeId, int> _indexOf = [];
    private readonly List<int> _colluders = [];
    private readonly List<NodeId> _recordKeys = [];
    private readonly Queue<NodeId> _plannedKeys = new(); // keys the Sybils were ground next to, published first
    private readonly Random _random;
    private readonly LookupOptions _lookupOptions;
    private readonly List<uint> _subnets = []; // each node's /24, by index: read for every table candidate, so kept out of the node objects
    private readonly HashSet<int> _scratchSet = [];
    private int[] _scratchCandidates = new int[64];
    private readonly int[] _scratchBucketCount = new int[NodeId.Bits + 1];
    private readonly Dictionary<ulong, int> _scratchSubnetTable = [];
    private readonly Dictionary<ulong, int> _scratchSubnetBucket = [];

    /// <summary>Builds <paramref name="nodeCount"/> honest nodes with latencies around <paramref name="medianRtt"/>.</summary>
    public MessageLevelNetwork(int nodeCount, int seed, NetworkParameters network, TimeSpan medianRtt)
        : this(new SimulationOptions
        {
            Nodes = nodeCount,
            Seed = seed,
            K = (network ?? throw new ArgumentNullException(nameof(network))).K,
            Alpha = network.Alpha,
            DisjointPaths = network.DisjointPaths,
            MedianRtt = medianRtt,
            MinRequestTimeout = network.MinRequestTimeout,
            MaxRequestTimeout = network.MaxRequestTimeout,
        })
    {
    }

    /// <summary>Builds the network <paramref name="options"/> describe: nodes, adversaries, eclipse attackers and tables.</summary>
    public MessageLevelNetwork(SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Nodes, 2);
        Options = options;
        Network = options.ToNetworkParameters();
        Seed = options.Seed;
        _random = new Random(options.Seed);
        Latency = new LatencyModel(options.Seed, options.MedianRtt, options.LatencySigma, options.JitterSigma);
        _lookupOptions = LookupOptions.From(Network);

        var behaviors = AssignBehaviors(options);
        var sybilPrefixes = DrawPrefixes(options.Adversaries?.SybilPrefixes ?? 0);
        for (var i = 0; i < options.Nodes; i++)
        {
            var address = behaviors[i] != NodeBehavior.Honest && sybilPrefixes.Length > 0
                ? sybilPrefixes[_random.Next(sybilPrefixes.Length)] | (uint)_random.Next(1, 255)
                : RandomPublicAddress();
            var node = CreateNode(NodeId.Random(_random), address);
            node.Behavior = behaviors[i];
        }

        foreach (var node in _nodes.Skip(1).Where(n => n.Behavior == NodeBehavior.Honest))
        {
            if (_random.NextDouble() < options.UnreachableFraction)
            {
                PutBehindNat(node);
            }
        }

        if (options.Sybils is { } sybils)
        {
            AddKeySybils(sybils);
        }

        if (options.Eclipse is { } eclipse)
        {
            AddEclipseAttackers(eclipse);
        }

        SortIds();
        foreach (var node in _nodes.Where(n => n.Behavior is NodeBehavior.Colluding or NodeBehavior.Poisoning))
        {
            _colluders.Add(node.Index);
        }

        if (options.JoinedTables)
        {
            BuildByJoins();
        }

        if (options.Churn is { } churn)
        {
            // Start in the steady state: each churning node is online with the long-run probability.
            var online = MeanOf(churn.Distribution, churn.MedianSession, churn.Sigma)
                / (MeanOf(churn.Distribution, churn.MedianSession, churn.Sigma) + MeanOf(churn.Distribution, churn.MedianDowntime, churn.Sigma));
            foreach (var node in _nodes.Where(IsChurning))
            {
                node.IsOnline = _random.NextDouble() < online;
            }
        }

        if (options.Eclipse is not null)
        {
            // The attackers reached the victim first (it just restarted): they hold every slot they may.
            var victim = _nodes[0];
            foreach (var attacker in _nodes.Where(n => n.IsEclipseAttacker))
            {
                TryObserve(victim, attacker.Index);
            }
        }

        if (options.LazyTables)
        {
            if (options.JoinedTables || options.Churn is not null || options.Eclipse is not null)
            {
                throw new NotSupportedException("Lazy tables are drawn from the network as built: not with joined tables, churn or an eclipse.");
            }

            Action<SimulatedNode> draw = Fill;
            foreach (var node in _nodes)
            {
                node.DrawTableOnFirstRead(draw);
            }
        }
        else if (!options.JoinedTables)
        {
            foreach (var node in _nodes)
            {
                Fill(node);
            }
        }
    }

    /// <summary>How many routing tables exist: every node's, except with <see cref="SimulationOptions.LazyTables"/> (those read so far).</summary>
    public int TablesDrawn => _nodes.Count(n => n.HasTable);

    /// <summary>Messages the joins that built the tables sent (<see cref="SimulationOptions.JoinedTables"/>), included in <see cref="MessagesSimulated"/>; 0 for sampled tables.</summary>
    public long JoinMessages { get; private set; }

    /// <summary>
    /// Builds every table by the protocol's own join, one node after the other from an empty network: the
    /// joiner pings node 0 (each learns the other), looks up its own ID, then looks up a random ID in every
    /// bucket farther than its closest neighbour (the engine's <c>BootstrapQuery</c>). Every request is
    /// simulated and counted; tables learn only what the lookups show them (queried nodes learn the
    /// joiner, the joiner learns who answered), with the routing table's ping-oldest rule when a bucket is full.
    /// With an eclipse node 1 is the seed and the victim, node 0, joins last (it restarted with an empty table):
    /// its attackers, already in the network, reach it first and take every slot its table allows, then it joins.
    /// </summary>
    private void BuildByJoins()
    {
        foreach (var node in _nodes)
        {
            node.IsOnline = false;
        }

        var before = MessagesSimulated;
        var eclipse = Options.Eclipse is not null;
        var seed = eclipse ? 1 : 0;
        _nodes[seed].IsOnline = true;
        var now = Epoch;
        var order = Enumerable.Range(0, _nodes.Count).Where(i => i != seed && !(eclipse && i == 0)).ToList();
        if (eclipse)
        {
            order.Add(0);
        }

        foreach (var i in order)
        {
            var joiner = _nodes[i];
            joiner.IsOnline = true;
            if (eclipse && i == 0)
            {
                foreach (var attacker in _nodes.Where(n => n.IsEclipseAttacker))
                {
                    TryObserve(joiner, attacker.Index);
                }
            }

            Bootstrap(joiner, seed, now);
        }

        JoinMessages = MessagesSimulated - before;
    }

    /// <summary>Requests sent by the tables' maintenance during the run (<see cref="SimulationOptions.MaintenanceByLookups"/>).</summary>
    public long MaintenanceMessages { get; private set; }

    /// <summary>
    /// The engine's bootstrap: ping <paramref name="seed"/> (when given; each learns the other), look up the
    /// joiner's own ID, then a random ID in every bucket farther than its closest neighbour. Returns whether
    /// anybody answered the self-lookup.
    /// </summary>
    private bool Bootstrap(SimulatedNode joiner, int? seed, DateTimeOffset now)
    {
        if (seed is { } first)
        {
            MessagesSimulated++; // the ping of the seed
            TryObserve(joiner, first, now);
            if (!joiner.IsClient)
            {
                TryObserve(_nodes[first], joiner.Index, now);
            }
        }

        var self = Execute(joiner.Index, joiner.Info.Id, -1, now, Options.DisjointPaths, oracle: false).Outcome;
        var closest = self.Result.Count > 0 ? joiner.Info.Id.CommonPrefixLength(self.Result[0].Node.Id) : 0;
        for (var bucket = 0; bucket < closest; bucket++)
        {
            Execute(joiner.Index, NodeId.RandomInBucket(joiner.Info.Id, bucket, _random), -1, now, Options.DisjointPaths, oracle: false);
        }

        return self.Result.Count > 0;
    }

    /// <summary>
    /// A returning or new node's join by messages: through its kept table, else (nobody answered, or a new
    /// node's empty table) through a random online seed, as a daemon falls back to its seed list.
    /// </summary>
    private void JoinByLookups(SimulatedNode node, DateTimeOffset now)
    {
        var before = MessagesSimulated;
        if (node.Table.Count == 0 || !Bootstrap(node, seed: null, now))
        {
            var seed = RandomHonestOnline();
            if (seed >= 0 && seed != node.Index)
            {
                Bootstrap(node, seed, now);
            }
        }

        MaintenanceMessages += MessagesSimulated - before;
    }

    /// <summary>
    /// A bucket refresh by messages, as the engine's: a lookup of a random ID in every bucket from the
    /// farthest to the nearest non-empty one that none of the node's own lookups (its joins included)
    /// covered within the refresh interval.
    /// </summary>
    private void RefreshByLookups(SimulatedNode node, DateTimeOffset now)
    {
        var before = MessagesSimulated;
        var deepest = -1;
        foreach (var contact in node.Table.Contacts)
        {
            deepest = Math.Max(deepest, BucketOf(node, contact));
        }

        if (deepest < 0)
        {
            JoinByLookups(node, now); // an emptied table rejoins from a seed, as PublishJobs' re-bootstrap does
            return;
        }

        var covered = now - Options.BucketRefreshInterval;
        for (var bucket = 0; bucket <= deepest; bucket++)
        {
            if (!node.RefreshedSince(bucket, covered))
            {
                Execute(node.Index, NodeId.RandomInBucket(node.Info.Id, bucket, _random), -1, now, Options.DisjointPaths, oracle: false);
            }
        }

        MaintenanceMessages += MessagesSimulated - before;
    }

    /// <summary>The seed that reproduces this network.</summary>
    public int Seed { get; }

    /// <summary>The options of the run.</summary>
    public SimulationOptions Options { get; }

    /// <summary>The parameters in force (k, α, d, timeouts; proof-of-work off).</summary>
    public NetworkParameters Network { get; }

    /// <summary>The nodes, in creation order (later joins at the end).</summary>
    public IReadOnlyList<SimulatedNode> Nodes => _nodes;

    /// <summary>The keys of the records published so far.</summary>
    public IReadOnlyList<NodeId> RecordKeys => _recordKeys;

    /// <summary>Queries simulated so far (FIND_NODE, GET and STORE messages sent).</summary>
    public long MessagesSimulated { get; private set; }

    /// <summary>Liveness pings of a full bucket's oldest contact so far (included in <see cref="MessagesSimulated"/>).</summary>
    public long PingsSimulated { get; private set; }

    /// <summary>Requests a NAT dropped so far: sent to a node behind one by a peer it had not sent to within the mapping timeout.</summary>
    public long DroppedAtNats { get; private set; }

    /// <summary>The latency model (shared with the full-wire mode).</summary>
    public LatencyModel Latency { get; }

    /// <summary>The run's generator (the one every choice is drawn from).</summary>
    internal Random Random => _random;

    /// <summary>A target drawn from the network's generator.</summary>
    public NodeId RandomTarget() => NodeId.Random(_random);

    /// <summary>Whether a node takes part in churn: honest and not the eclipse victim.</summary>
    internal bool IsChurning(SimulatedNode node) =>
        node.Behavior == NodeBehavior.Honest && !node.IsEclipseAttacker && !(Options.Eclipse is not null && node.Index == 0);

    /// <summary>The quiet round trip between two nodes (<see cref="LatencyModel.RoundTrip"/>): the sum of their shares times a fixed per-pair factor.</summary>
    public TimeSpan RoundTrip(SimulatedNode a, SimulatedNode b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Latency.RoundTrip(a.Index, a.LatencyShare, b.Index, b.LatencyShare);
    }

    /// <summary>Runs one lookup of <paramref name="target"/> from node <paramref name="from"/> to completion in virtual time.</summary>
    public LookupOutcome RunLookup(int from, NodeId target, int disjointPaths = 1) =>
        Execute(from, target, -1, Epoch, disjointPaths).Outcome;

    /// <summary>Runs one FIND_NODE lookup at <paramref name="now"/> with the options' d.</summary>
    public LookupOutcome RunLookup(int from, NodeId target, DateTimeOffset now) =>
        Execute(from, target, -1, now, Options.DisjointPaths).Outcome;

    /// <summary>Runs one FIND_NODE lookup at <paramref name="now"/> with <paramref name="disjointPaths"/> paths.</summary>
    public LookupOutcome RunLookup(int from, NodeId target, DateTimeOffset now, int disjointPaths) =>
        Execute(from, target, -1, now, disjointPaths).Outcome;

    /// <summary>Queries sent to a dead address a poisoner gave for an honest node's ID (each a timeout for its sender), included in <see cref="MessagesSimulated"/>.</summary>
    public long DeadAddressQueries { get; private set; }

    /// <summary>
    /// Publishes a new record from <paramref name="from"/>: a lookup of its key, then a STORE to the k closest that
    /// answered. The first records take the keys Sybils were ground next to (<see cref="SimulationOptions.Sybils"/>).
    /// </summary>
    public PutOutcome Publish(int from, DateTimeOffset now)
    {
        var index = _recordKeys.Count;
        _recordKeys.Add(_plannedKeys.Count > 0 ? _plannedKeys.Dequeue() : NodeId.Random(_random));
        return Store(from, index, now);
    }

    /// <summary>Stores record <paramref name="record"/> again from <paramref name="from"/> on the current k closest.</summary>
    public PutOutcome Store(int from, int record, DateTimeOffset now)
    {
        var key = _recordKeys[record];
        var run = Execute(from, key, -1, now, Options.DisjointPaths);
        var origin = _nodes[from];
        var stored = 0;
        var slowest = TimeSpan.Zero;
        var at = now + run.Outcome.Duration;
        foreach (var candidate in run.Outcome.Result)
        {
            var peer = _nodes[_indexOf[candidate.Node.Id]];
            MessagesSimulated++;
            if (!IsUp(peer) || !Deliver(origin, peer, at) || Lost() || Lost())
            {
                continue;
            }

            Deliver(peer, origin, at); // the acknowledgement, through the mapping the STORE just opened

            var rtt = Exchange(origin, peer);
            slowest = rtt > slowest ? rtt : slowest;
            if (peer.Behavior == NodeBehavior.Honest)
            {
                peer.Records.Add(record);
            }

            stored++; // droppers and colluders acknowledge too: the publisher cannot tell
        }

        var messages = run.Outcome.Messages + run.Outcome.Result.Count;
        return new PutOutcome(record, run.Outcome, stored, messages, run.Outcome.Duration + slowest);
    }

    /// <summary>Looks up record <paramref name="record"/> from <paramref name="from"/>: a lookup that stops at the first valid value.</summary>
    public GetOutcome Get(int from, int record, DateTimeOffset now)
    {
        var run = Execute(from, _recordKeys[record], record, now, Options.DisjointPaths);
        return new GetOutcome(record, run.ValueFound, run.ValueFound ? run.ValueHops : run.Outcome.Hops, run.Outcome.Messages, run.ValueFound ? run.ValueLatency : run.Outcome.Duration);
    }

    /// <summary>Whether some honest online node holds record <paramref name="record"/> (what a perfect lookup could find).</summary>
    public bool HasLiveReplica(int record) => _nodes.Any(n => n.IsOnline && n.Behavior == NodeBehavior.Honest && n.Records.Contains(record));

    /// <summary>Honest online holders of <paramref name="record"/>, in index order.</summary>
    public IEnumerable<SimulatedNode> Holders(int record) => _nodes.Where(n => n.IsOnline && n.Behavior == NodeBehavior.Honest && n.Records.Contains(record));

    /// <summary>
    /// The number of honest online holders of every record, by record index: one pass over the nodes
    /// (calling <see cref="Holders"/> per record scans all of them once per record).
    /// </summary>
    public int[] HolderCounts()
    {
        var counts = new int[_recordKeys.Count];
        foreach (var node in _nodes)
        {
            if (node.RecordCount == 0 || !node.IsOnline || node.Behavior != NodeBehavior.Honest)
            {
                continue;
            }

            foreach (var record in node.Records)
            {
                counts[record]++;
            }
        }

        return counts;
    }

    /// <summary>A random honest online node, or -1 when there is none.</summary>
    public int RandomHonestOnline()
    {
        for (var attempt = 0; attempt < 10_000; attempt++)
        {
            var node = _nodes[_random.Next(_nodes.Count)];
            if (node.IsOnline && node.Behavior == NodeBehavior.Honest && !node.HasDeparted)
            {
                return node.Index;
            }
        }

        return -1;
    }

    /// <summary>Takes a node offline; it keeps its table and records (a daemon persists both).</summary>
    public void Leave(SimulatedNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        node.IsOnline = false;
    }

    /// <summary>
    /// Brings a node (back) online at <paramref name="now"/>: by messages (<see cref="SimulationOptions.MaintenanceByLookups"/>)
    /// it runs the engine's bootstrap through its kept table or a seed, and whom it queries learns it; with the
    /// oracle it refreshes its table and the k closest online nodes learn it (a client they skip).
    /// </summary>
    public void Join(SimulatedNode node, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(node);
        node.IsOnline = true;
        if (Options.MaintenanceByLookups)
        {
            JoinByLookups(node, now);
            return;
        }

        Refresh(node, now);
        foreach (var neighbour in ClosestOnline(node.Info.Id, Network.K, node.Index))
        {
            TryObserve(_nodes[neighbour], node.Index, now);
        }
    }

    /// <summary>A brand-new honest node (new ID, address, latency; empty table and store; behind a NAT with the options' probability) joins at <paramref name="now"/>.</summary>
    public SimulatedNode AddFreshNode(DateTimeOffset now)
    {
        var node = CreateNode(NodeId.Random(_random), RandomPublicAddress());
        if (Options.UnreachableFraction > 0 && _random.NextDouble() < Options.UnreachableFraction)
        {
            PutBehindNat(node);
        }

        Join(node, now);
        return node;
    }

    /// <summary>
    /// Bucket refresh at <paramref name="now"/>: by messages, a lookup of a random ID in every bucket up to the
    /// nearest non-empty one; with the oracle, drops contacts that do not answer the owner and refills every
    /// bucket from the online nodes in range.
    /// </summary>
    public void Refresh(SimulatedNode node, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (Options.MaintenanceByLookups)
        {
            RefreshByLookups(node, now);
            return;
        }

        node.Table.RemoveWhere(c => !IsUp(_nodes[c]) || _nodes[c].Nat?.Admits(node.Index, now) == false);
        Fill(node);
    }

    /// <summary>The bucket of <paramref name="contact"/> in <paramref name="owner"/>'s table (its common-prefix length).</summary>
    public int BucketOf(SimulatedNode owner, int contact)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return owner.Info.Id.CommonPrefixLength(_nodes[contact].Info.Id);
    }

    /// <summary>Mean table size and fraction of contacts that answer, over honest online nodes (with lazy tables, those drawn).</summary>
    public (double MeanContacts, double LiveFraction) TableHealth()
    {
        long contacts = 0, live = 0, owners = 0;
        // Who answers, read once per node: the contacts are then looked up in a bit array that stays in
        // the cache, not in node objects scattered over the heap (150 million lookups at a million nodes).
        var answers = new System.Collections.BitArray(_nodes.Count);
        for (var i = 0; i < _nodes.Count; i++)
        {
            answers[i] = _nodes[i].Answers;
        }

        foreach (var node in _nodes)
        {
            if (!node.IsOnline || node.Behavior != NodeBehavior.Honest || !node.HasTable)
            {
                continue; // a lazy table nobody has read is not drawn just to be measured
            }

            owners++;
            foreach (var contact in node.Table.Contacts)
            {
                contacts++;
                if (answers[contact]) live++;
            }
        }

        return owners == 0 ? (0, 0) : ((double)contacts / owners, contacts == 0 ? 0 : (double)live / contacts);
    }

    internal readonly record struct Execution(LookupOutcome Outcome, bool ValueFound, int ValueHops, TimeSpan ValueLatency);

    /// <summary>One lookup (FIND_NODE, or GET of <paramref name="record"/> when it is not -1) driven to its end.</summary>
    internal Execution Execute(int from, NodeId target, int record, DateTimeOffset start, int disjointPaths, bool oracle = true)
    {
        var origin = _nodes[from];
        if (record >= 0 && origin.Records.Contains(record))
        {
            // We hold the value ourselves: no lookup, zero hops (as the engine's GET).
            return new Execution(new LookupOutcome(target, [], [], 0, 0, TimeSpan.Zero, []), true, 0, TimeSpan.Zero);
        }

        if (Options.MaintenanceByLookups)
        {
            origin.MarkRefreshed(origin.Info.Id.CommonPrefixLength(target), start);
        }

        // As the engine: k·d starting contacts, so that every disjoint path starts with about k of them.
        var seeds = ClosestInTable(origin, target, Network.K * disjointPaths);
        var options = _lookupOptions with { DisjointPaths = disjointPaths };
        var lookup = new DisjointLookup(target, origin.Info.Id, seeds, options, peer => MeasuredTimeout(origin, peer));
        var pending = new PriorityQueue<Answer, (long, long)>();
        var now = start;
        long sequence = 0;
        var valueFound = false;
        var valueHops = 0;
        var valueAt = start;
        while (!valueFound)
        {
            var step = lookup.Next(now);
            if (step.Kind == LookupStepKind.Send)
            {
                MessagesSimulated++;
                var peer = _nodes[_indexOf[step.Peer.Id]];
                if (step.Peer.Endpoint != peer.Info.Endpoint)
                {
                    // A dead address a poisoner named this ID with: nobody answers there. The engine charges the
                    // failure to the ID (KademliaEngine.RequestFailed), so the origin's table does too.
                    DeadAddressQueries++;
                    origin.Table.RecordFailure(peer.Index, Options.FailuresBeforeEviction);
                    continue;
                }

                if (!IsUp(peer) || !Deliver(origin, peer, now))
                {
                    // Offline, silent, or behind a NAT that drops the request: it times out, and the origin
                    // evicts it after as many failures in a row as the routing table's policy allows.
                    origin.Table.RecordFailure(peer.Index, Options.FailuresBeforeEviction);
                    continue;
                }

                if (Lost())
                {
                    if (Options.FailuresBeforeEviction > 1) origin.Table.RecordFailure(peer.Index, Options.FailuresBeforeEviction);
                    continue;
                }

                if (origin.IsClient)
                {
                    // The client flag: the receiver never keeps the asker (and forgets it if it had it).
                    peer.Table.Remove(origin.Index);
                }
                else
                {
                    TryObserve(peer, origin.Index, now);
                }

                if (!Deliver(peer, origin, now) || Lost())
                {
                    if (Options.FailuresBeforeEviction > 1) origin.Table.RecordFailure(peer.Index, Options.FailuresBeforeEviction);
                    continue;
                }

                var at = now + Exchange(origin, peer);
                pending.Enqueue(AnswerOf(peer, target, record) with { SentTicks = now.UtcTicks }, (at.UtcTicks, sequence++));
                continue;
            }

            if (step.Kind == LookupStepKind.Finished)
            {
                break;
            }

            // Waiting: advance to the next answer or the next deadline, whichever comes first.
            var wake = step.WakeAt ?? DateTimeOffset.MaxValue;
            if (pending.TryPeek(out var answer, out var time) && time.Item1 <= wake.UtcTicks)
            {
                pending.Dequeue();
                now = new DateTimeOffset(time.Item1, TimeSpan.Zero);
                var peerId = _nodes[answer.Peer].Info.Id;
                switch (answer.Kind)
                {
                    case AnswerKind.Value:
                        origin.Table.RecordSuccess(answer.Peer, now - new DateTimeOffset(answer.SentTicks, TimeSpan.Zero));
                        lookup.OnSuccess(peerId, [], now);
                        valueFound = true;
                        valueAt = now;
                        valueHops = lookup.Answered.FirstOrDefault(c => c.Node.Id == peerId)?.Depth ?? 1;
                        lookup.Stop();
                        break;
                    case AnswerKind.Nodes:
                        origin.Table.RecordSuccess(answer.Peer, now - new DateTimeOffset(answer.SentTicks, TimeSpan.Zero));
                        lookup.OnSuccess(peerId, answer.Closer, now);
                        TryObserve(origin, answer.Peer, now);
                        break;
                    default:
                        lookup.OnFailure(peerId);
                        break;
                }
            }
            else if (step.WakeAt is { } deadline)
            {
                now = deadline;
            }
            else
            {
                break;
            }
        }

        var result = lookup.Result;
        var trueClosest = oracle ? TrueClosest(target, from) : [];
        var path = result.Count > 0 ? result[0].Path() : [];

        var outcome = new LookupOutcome(target, result, trueClosest, lookup.Hops, lookup.QueriesSent, now - start, path);
        return new Execution(outcome, valueFound, valueHops, valueAt - start);
    }

    private enum AnswerKind
    {
        Nodes,
        Value,
        Invalid,
    }

    private readonly record struct Answer(int Peer, AnswerKind Kind, NodeInfo[] Closer, long SentTicks = 0);

    /// <summary>
    /// A request from <paramref name="origin"/> to <paramref name="peer"/> and its answer: one quiet RTT in the
    /// ideal mode; otherwise each direction jittered and the peer's processing delay between them.
    /// </summary>
    private TimeSpan Exchange(SimulatedNode origin, SimulatedNode peer)
    {
        if (Latency.JitterSigma == 0 && Options.ProcessingDelay == TimeSpan.Zero)
        {
            return RoundTrip(origin, peer);
        }

        var there = Latency.OneWay(origin.Index, origin.LatencyShare, peer.Index, peer.LatencyShare, _random);
        var processing = Options.ProcessingDelay == TimeSpan.Zero
            ? TimeSpan.Zero
            : TimeSpan.FromTicks((long)(Options.ProcessingDelay.Ticks * -Math.Log(1.0 - _random.NextDouble())));
        var back = Latency.OneWay(peer.Index, peer.LatencyShare, origin.Index, origin.LatencyShare, _random);
        return there + processing + back;
    }

    private Answer AnswerOf(SimulatedNode peer, NodeId target, int record) => peer.Behavior switch
    {
        NodeBehavior.Colluding => new Answer(peer.Index, AnswerKind.Nodes, ClosestColluders(target, peer.Index)),
        NodeBehavior.Poisoning => new Answer(peer.Index, AnswerKind.Nodes, PoisonedAnswer(target, peer.Index)),
        NodeBehavior.Garbage => new Answer(peer.Index, AnswerKind.Invalid, []),
        NodeBehavior.Honest when record >= 0 && peer.Records.Contains(record) => new Answer(peer.Index, AnswerKind.Value, []),
        _ => new Answer(peer.Index, AnswerKind.Nodes, ClosestInTable(peer, target, Network.K)),
    };

    /// <summary>
    /// The timeout the engine would use: SRTT + 4·RTTVAR of a table contact from the answers the origin
    /// received, else unknown (the lookup's own estimate). The ideal mode uses 3 × the true RTT instead.
    /// </summary>
    private TimeSpan? MeasuredTimeout(SimulatedNode origin, NodeInfo peer)
    {
        var index = _indexOf[peer.Id];
        if (Options.ObservedTimeouts)
        {
            return origin.Table.Timeout(index, Network.MinRequestTimeout, Network.MaxRequestTimeout);
        }

        if (!origin.Table.Contains(index))
        {
            return null;
        }

        var timeout = 3 * RoundTrip(origin, _nodes[index]);
        return timeout < Network.MinRequestTimeout ? Network.MinRequestTimeout : timeout > Network.MaxRequestTimeout ? Network.MaxRequestTimeout : timeout;
    }

    private bool Lost() => Options.LossRate > 0 && _random.NextDouble() < Options.LossRate;

    /// <summary>Whether <paramref name="node"/> would answer a request that reaches it: online and not silent.</summary>
    private static bool IsUp(SimulatedNode node) => node.IsOnline && node.Behavior != NodeBehavior.Silent;

    /// <summary>
    /// A datagram from <paramref name="from"/> to <paramref name="to"/> at <paramref name="now"/>: the
    /// sender's NAT opens the way back, the receiver's NAT (if any) admits it or drops it (counted).
    /// </summary>
    private bool Deliver(SimulatedNode from, SimulatedNode to, DateTimeOffset now)
    {
        from.Nat?.Sent(to.Index, now);
        if (to.Nat is { } nat && !nat.Admits(from.Index, now))
        {
            DroppedAtNats++;
            return false;
        }

        return true;
    }

    private void PutBehindNat(SimulatedNode node)
    {
        NodesBehindNat++;
        node.IsReachable = false;
        node.IsClient = Options.ClientMode;
        node.Nat = new NatPermissions(Options.NatMappingTimeout);
    }

    private NodeInfo[] ClosestInTable(SimulatedNode node, NodeId target, int count)
    {
        var best = new List<int>(count + 1);
        foreach (var contact in node.Table.Contacts)
        {
            InsertBounded(best, contact, target, count);
        }

        return best.Select(i => _nodes[i].Info).ToArray();
    }

    private NodeInfo[] ClosestColluders(NodeId target, int except)
    {
        var best = new List<int>(Network.K + 1);
        foreach (var colluder in _colluders)
        {
            if (colluder != except) InsertBounded(best, colluder, target, Network.K);
        }

        return best.Select(i => _nodes[i].Info).ToArray();
    }

    /// <summary>
    /// A poisoner's answer: the k closest nodes to <paramref name="target"/> it knows of (it crawled the network), its
    /// fellow poisoners at their own addresses and every honest node at a fresh dead address.
    /// </summary>
    private NodeInfo[] PoisonedAnswer(NodeId target, int except)
    {
        var best = ClosestWhere(target, Network.K, n => n.Index != except && n.Behavior == NodeBehavior.Honest && n.Answers);
        foreach (var colluder in _colluders)
        {
            if (colluder != except) InsertBounded(best, colluder, target, Network.K);
        }

        var answer = new NodeInfo[best.Count];
        for (var i = 0; i < best.Count; i++)
        {
            var node = _nodes[best[i]];
            answer[i] = node.Behavior == NodeBehavior.Honest
                ? NodeInfo.WithAssignedId(node.Info.Id, NodeEndpoint.FromIPv4(RandomPublicAddress(), DeadPort))
                : node.Info;
        }

        return answer;
    }

    /// <summary>The port of the dead addresses poisoners hand out (every live node listens on 4000).</summary>
    private const ushort DeadPort = 4999;

    /// <summary>The k closest honest nodes that answer, except <paramref name="except"/>: what a perfect lookup returns.</summary>
    private List<NodeId> TrueClosest(NodeId target, int except) =>
        ClosestWhere(target, Network.K, n => n.Index != except && n.Behavior == NodeBehavior.Honest && n.Answers).Select(i => _nodes[i].Info.Id).ToList();

    private List<int> ClosestOnline(NodeId target, int count, int except) =>
        ClosestWhere(target, count, n => n.Index != except && n.IsOnline);

    /// <summary>
    /// The <paramref name="count"/> nodes closest to <paramref name="target"/> that match: scans the
    /// smallest ID subtree around the target holding enough matches (every node inside a subtree is
    /// closer than every node outside it), so a lookup's oracle costs a few hundred nodes, not N.
    /// </summary>
    private List<int> ClosestWhere(NodeId target, int count, Func<SimulatedNode, bool> match)
    {
        var best = new List<int>(count + 1);
        for (var bits = Math.Min(NodeId.Bits, 2 * (int)Math.Log2(_nodes.Count) + 8); bits >= 0; bits--)
        {
            var (low, high) = bits == 0 ? (0, _sortedIds.Count) : Range(target, bits, flipLast: false);
            if (high - low < count && bits > 0) continue;
            best.Clear();
            var matched = 0;
            for (var i = low; i < high; i++)
            {
                var node = _nodes[_sortedIndex[i]];
                if (!match(node)) continue;
                matched++;
                InsertBounded(best, node.Index, target, count);
            }

            if (matched >= count || bits == 0)
            {
                return best;
            }
        }

        return best;
    }

    private void InsertBounded(List<int> best, int candidate, NodeId target, int count)
    {
        var id = _nodes[candidate].Info.Id;
        if (best.Count == count && target.CompareDistance(id, _nodes[best[^1]].Info.Id) >= 0)
        {
            return;
        }

        var position = best.Count;
        while (position > 0 && target.CompareDistance(id, _nodes[best[position - 1]].Info.Id) < 0)
        {
            position--;
        }

        best.Insert(position, candidate);
        if (best.Count > count)
        {
            best.RemoveAt(best.Count - 1);
        }
    }

    private SimulatedNode CreateNode(NodeId id, uint address)
    {
        while (_indexOf.ContainsKey(id))
        {
            id = NodeId.Random(_random);
        }

        var index = _nodes.Count;
        var info = NodeInfo.WithAssignedId(id, NodeEndpoint.FromIPv4(address, 4000));
        // Log-normal share of every round trip: most nodes near the median, a long tail of slow ones.
        var node = new SimulatedNode(index, info, Latency.DrawShare(_random));
        _nodes.Add(node);
        _subnets.Add(address >> 8);
        _indexOf.Add(id, index);
        if (!_building)
        {
            // A join during the run: one insertion into the sorted lists (O(N), and joins are few).
            var position = _sortedIds.BinarySearch(id);
            position = position < 0 ? ~position : position;
            _sortedIds.Insert(position, id);
            _sortedIndex.Insert(position, index);
        }

        return node;
    }

    /// <summary>
    /// Sorts the nodes created while building by ID, once: O(N log N), where inserting each into a sorted
    /// list was O(N²) (minutes at a million nodes). The order is the same, so the run is too.
    /// </summary>
    private void SortIds()
    {
        var ids = new NodeId[_nodes.Count];
        var indexes = new int[_nodes.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = _nodes[i].Info.Id;
            indexes[i] = i;
        }

        Array.Sort(ids, indexes);
        _sortedIds.Clear();
        _sortedIds.AddRange(ids);
        _sortedIndex.Clear();
        _sortedIndex.AddRange(indexes);
        _building = false;
    }

    private NodeBehavior[] AssignBehaviors(SimulationOptions options)
    {
        var behaviors = new NodeBehavior[options.Nodes];
        if (options.Adversaries is not { } adversaries)
        {
            return behaviors;
        }

        var behavior = adversaries.Kind switch
        {
            AdversaryKind.Silent => NodeBehavior.Silent,
            AdversaryKind.Colluding => NodeBehavior.Colluding,
            AdversaryKind.StoreDropper => NodeBehavior.StoreDropper,
            AdversaryKind.Poisoning => NodeBehavior.Poisoning,
            _ => NodeBehavior.Garbage,
        };
        // Node 0 stays honest (the observer of the eclipse scenario); the rest are shuffled.
        var order = Enumerable.Range(1, options.Nodes - 1).ToArray();
        _random.Shuffle(order);
        var count = (int)Math.Round(adversaries.Fraction * options.Nodes);
        foreach (var index in order.Take(Math.Min(count, order.Length)))
        {
            behaviors[index] = behavior;
        }

        return behaviors;
    }

    /// <summary>
    /// Grinds <see cref="SybilOptions.PerTarget"/> IDs next to each of <see cref="SybilOptions.Targets"/> new record
    /// keys: each in bucket b of its key, b one more than the bits the closest node so far shares with the key, so
    /// every Sybil is closer to the key than every other node. Each Sybil has its own address.
    /// </summary>
    private void AddKeySybils(SybilOptions sybils)
    {
        for (var t = 0; t < sybils.Targets; t++)
        {
            var key = NodeId.Random(_random);
            _plannedKeys.Enqueue(key);
            var closest = 0;
            foreach (var node in _nodes)
            {
                closest = Math.Max(closest, key.CommonPrefixLength(node.Info.Id));
            }

            var bucket = Math.Min(closest + 1, NodeId.Bits - 1);
            for (var i = 0; i < sybils.PerTarget; i++)
            {
                var node = CreateNode(NodeId.RandomInBucket(key, bucket, _random), RandomPublicAddress());
                node.Behavior = NodeBehavior.Colluding;
                node.SybilBucket = bucket;
            }
        }
    }

    private void AddEclipseAttackers(EclipseOptions eclipse)
    {
        var victim = _nodes[0].Info.Id;
        var prefixes = DrawPrefixes(Math.Max(1, eclipse.Prefixes));
        for (var i = 0; i < eclipse.Attackers; i++)
        {
            // k ground IDs per bucket of the victim, from the farthest bucket inwards: cheap for the
            // attacker (bucket b costs about 2^b key generations) and enough to fill every bucket.
            var bucket = Math.Min(i / Network.K, NodeId.Bits - 1);
            var id = NodeId.RandomInBucket(victim, bucket, _random);
            var node = CreateNode(id, prefixes[_random.Next(prefixes.Length)] | (uint)_random.Next(1, 255));
            node.Behavior = NodeBehavior.Colluding;
            node.IsEclipseAttacker = true;
        }
    }

    private uint[] DrawPrefixes(int count)
    {
        var prefixes = new uint[count];
        for (var i = 0; i < count; i++)
        {
            prefixes[i] = RandomPublicAddress() & 0xFFFF_FF00;
        }

        return prefixes;
    }

    private uint RandomPublicAddress()
    {
        // First octet 1..223 except 10 and 127: plausible public unicast addresses.
        while (true)
        {
            var first = (uint)_random.Next(1, 224);
            if (first is 10 or 127) continue;
            return (first << 24) | (uint)_random.Next(0, 1 << 24);
        }
    }

    private static double MeanOf(DurationDistribution kind, TimeSpan median, double sigma) => kind switch
    {
        DurationDistribution.Exponential => median.TotalSeconds / Math.Log(2),
        _ => median.TotalSeconds * Math.Exp(sigma * sigma / 2),
    };

    /// <summary>How many nodes were put behind a NAT (while building or joining later).</summary>
    internal int NodesBehindNat { get; private set; }

    /// <summary>The /24 of node <paramref name="index"/>'s address (what the IP-diversity limits count).</summary>
    internal uint SubnetOf(int index) => _subnets[index];

    private uint SubnetOf(SimulatedNode node) => _subnets[node.Index];

    /// <summary>
    /// Adds <paramref name="candidate"/> to <paramref name="owner"/>'s table if the diversity limits allow and its
    /// bucket has room, or (as <c>RoutingTable</c>, unless in the ideal mode) when the bucket is full and its
    /// oldest contact does not answer a ping at <paramref name="now"/>.
    /// </summary>
    internal bool TryObserve(SimulatedNode owner, int candidate, DateTimeOffset? now = null)
    {
        var node = _nodes[candidate];
        if (candidate == owner.Index || node.IsClient || owner.Table.Contains(candidate))
        {
            return false;
        }

        var bucket = BucketOf(owner, candidate);
        var subnet = SubnetOf(node);
        int inBucket = 0, subnetInBucket = 0, subnetInTable = 0, oldest = -1;
        foreach (var contact in owner.Table.Contacts)
        {
            var other = _nodes[contact];
            var sameSubnet = SubnetOf(other) == subnet;
            if (sameSubnet) subnetInTable++;
            if (BucketOf(owner, contact) == bucket)
            {
                inBucket++;
                if (oldest < 0) oldest = contact;
                if (sameSubnet) subnetInBucket++;
            }
        }

        if (Options.IpDiversityLimits && (subnetInBucket >= Network.MaxPerSubnetPerBucket || subnetInTable >= Network.MaxPerSubnetPerTable))
        {
            return false;
        }

        if (inBucket >= Network.K)
        {
            if (now is not { } at || Options.FailuresBeforeEviction <= 1 || oldest < 0)
            {
                return false;
            }

            // Ping the oldest contact: it keeps its place if it answers (the paper's preference for old, stable
            // nodes), and the newcomer takes it if not.
            MessagesSimulated++;
            PingsSimulated++;
            var incumbent = _nodes[oldest];
            if (IsUp(incumbent) && Deliver(owner, incumbent, at) && !Lost() && Deliver(incumbent, owner, at) && !Lost())
            {
                owner.Table.RecordSuccess(oldest, Exchange(owner, incumbent));
                return false;
            }

            owner.Table.Remove(oldest);
        }

        owner.Table.Add(candidate);
        return true;
    }

    /// <summary>Fills every bucket of <paramref name="owner"/> up to k with online nodes sampled from the bucket's ID range.</summary>
    private void Fill(SimulatedNode owner)
    {
        var id = owner.Info.Id;
        _scratchSet.Clear();
        _scratchSubnetTable.Clear();
        _scratchSubnetBucket.Clear();
        Array.Clear(_scratchBucketCount);
        foreach (var contact in owner.Table.Contacts)
        {
            _scratchSet.Add(contact);
            var bucket = BucketOf(owner, contact);
            _scratchBucketCount[bucket]++;
            var subnet = SubnetOf(_nodes[contact]);
            _scratchSubnetTable[subnet] = _scratchSubnetTable.GetValueOrDefault(subnet) + 1;
            _scratchSubnetBucket[((ulong)bucket << 40) | subnet] = _scratchSubnetBucket.GetValueOrDefault(((ulong)bucket << 40) | subnet) + 1;
        }

        for (var bucket = 0; bucket < NodeId.Bits; bucket++)
        {
            var (low, high) = Range(id, bucket + 1, flipLast: true);
            var size = high - low;
            var room = Network.K - _scratchBucketCount[bucket];
            if (size > 0 && room > 0)
            {
                if (size <= 3 * Network.K)
                {
                    if (_scratchCandidates.Length < size) _scratchCandidates = new int[2 * size];
                    var candidates = _scratchCandidates.AsSpan(0, size);
                    for (var i = 0; i < size; i++) candidates[i] = _sortedIndex[low + i];
                    _random.Shuffle(candidates);
                    foreach (var candidate in candidates)
                    {
                        if (room == 0) break;
                        if (TryFill(owner, bucket, candidate)) room--;
                    }
                }
                else
                {
                    for (var attempt = 0; attempt < 4 * Network.K && room > 0; attempt++)
                    {
                        if (TryFill(owner, bucket, _sortedIndex[low + _random.Next(size)])) room--;
                    }
                }
            }

            var (ownLow, ownHigh) = Range(id, bucket + 1, flipLast: false);
            if (ownHigh - ownLow <= 1)
            {
                break; // nobody else shares bucket + 1 bits with the owner: deeper buckets are empty
            }
        }
    }

    private bool TryFill(SimulatedNode owner, int bucket, int candidate)
    {
        var node = _nodes[candidate];
        if (candidate == owner.Index || !node.IsOnline || node.HasDeparted || node.IsClient || !_scratchSet.Add(candidate))
        {
            return false;
        }

        var subnet = SubnetOf(node);
        var bucketKey = ((ulong)bucket << 40) | subnet;
        if (Options.IpDiversityLimits
            && (_scratchSubnetBucket.GetValueOrDefault(bucketKey) >= Network.MaxPerSubnetPerBucket
                || _scratchSubnetTable.GetValueOrDefault(subnet) >= Network.MaxPerSubnetPerTable))
        {
            return false;
        }

        _scratchSubnetBucket[bucketKey] = _scratchSubnetBucket.GetValueOrDefault(bucketKey) + 1;
        _scratchSubnetTable[subnet] = _scratchSubnetTable.GetValueOrDefault(subnet) + 1;
        owner.Table.Add(candidate);
        return true;
    }

    /// <summary>The positions in the sorted ID list of the IDs sharing the first <paramref name="bits"/> bits of <paramref name="id"/> (the last one flipped when asked).</summary>
    private (int Low, int High) Range(NodeId id, int bits, bool flipLast)
    {
        Span<byte> low = stackalloc byte[NodeId.Size];
        Span<byte> high = stackalloc byte[NodeId.Size];
        id.WriteTo(low);
        if (flipLast)
        {
            low[(bits - 1) >> 3] ^= (byte)(0x80 >> ((bits - 1) & 7));
        }

        low.CopyTo(high);
        var full = bits >> 3;
        var rest = bits & 7;
        if (rest != 0)
        {
            var mask = (byte)(0xFF << (8 - rest));
            low[full] &= mask;
            high[full] |= (byte)~mask;
            full++;
        }

        low[full..].Clear();
        high[full..].Fill(0xFF);
        return (LowerBound(new NodeId(low)), UpperBound(new NodeId(high)));
    }

    private int LowerBound(NodeId value)
    {
        int lo = 0, hi = _sortedIds.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_sortedIds[mid].CompareTo(value) < 0) lo = mid + 1; else hi = mid;
        }

        return lo;
    }

    private int UpperBound(NodeId value)
    {
        int lo = 0, hi = _sortedIds.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_sortedIds[mid].CompareTo(value) <= 0) lo = mid + 1; else hi = mid;
        }

        return lo;
    }
}

/// <summary>What one PUT did.</summary>
/// <param name="Record">The record's index.</param>
/// <param name="Lookup">The lookup of the key.</param>
/// <param name="Stored">STOREs acknowledged.</param>
/// <param name="Messages">Queries and STOREs sent.</param>
/// <param name="Duration">Lookup plus the slowest acknowledged STORE.</param>
public sealed record PutOutcome(int Record, LookupOutcome Lookup, int Stored, int Messages, TimeSpan Duration);

/// <summary>What one GET did.</summary>
/// <param name="Record">The record's index.</param>
/// <param name="Found">Whether a valid value came back.</param>
/// <param name="Hops">Depth of the node that returned the value (or of the closest answering node).</param>
/// <param name="Messages">Queries sent.</param>
/// <param name="Duration">Virtual time until the value arrived (or the lookup ended).</param>
public sealed record GetOutcome(int Record, bool Found, int Hops, int Messages, TimeSpan Duration);
