using Kademlia.Routing;

namespace Kademlia.Simulation;

/// <summary>How a simulated node behaves when queried.</summary>
public enum NodeBehavior
{
    /// <summary>Answers honestly.</summary>
    Honest,

    /// <summary>Never answers (offline, behind a NAT, or dropping).</summary>
    Silent,

    /// <summary>Answers with contacts of its colluders only, hiding the honest closest nodes; drops stores.</summary>
    Colluding,

    /// <summary>Routes honestly, acknowledges stores and drops them, never returns a value.</summary>
    StoreDropper,

    /// <summary>Answers with something that fails to decode or verify.</summary>
    Garbage,

    /// <summary>Answers with its fellow poisoners and with honest nodes at dead addresses; drops stores.</summary>
    Poisoning,
}

/// <summary>One node of a <see cref="MessageLevelNetwork"/>: its contact, routing table, latency, state and behaviour.</summary>
public sealed class SimulatedNode
{
    internal SimulatedNode(int index, NodeInfo info, TimeSpan latencyShare)
    {
        Index = index;
        Info = info;
        LatencyShare = latencyShare;
    }

    /// <summary>The node's position in the network.</summary>
    public int Index { get; }

    /// <summary>The node's wire description (assigned ID and address).</summary>
    public NodeInfo Info { get; }

    /// <summary>The node's routing table: indexes of its contacts (drawn on first read when the network's tables are lazy).</summary>
    public SimulatedTable Table
    {
        get
        {
            if (_table is null)
            {
                _table = new SimulatedTable();
                var draw = _drawTable;
                _drawTable = null;
                draw?.Invoke(this); // reads the (empty) table it fills: set before drawing
            }

            return _table;
        }
    }

    /// <summary>Whether the table exists yet (false only for a lazy table nobody has read).</summary>
    internal bool HasTable => _table is not null;

    /// <summary>Defers the table: <paramref name="draw"/> fills it when it is first read.</summary>
    internal void DrawTableOnFirstRead(Action<SimulatedNode> draw) => _drawTable = draw;

    private SimulatedTable? _table;
    private Action<SimulatedNode>? _drawTable;

    /// <summary>The node's share of every round trip it takes part in (<see cref="LatencyModel"/>): RTT(a, b) = (share a + share b)·a per-pair factor.</summary>
    public TimeSpan LatencyShare { get; }

    /// <summary>How the node answers queries.</summary>
    public NodeBehavior Behavior { get; set; }

    /// <summary>Whether the node is running.</summary>
    public bool IsOnline { get; internal set; } = true;

    /// <summary>False behind a NAT: a request reaches the node only from a peer it recently sent to.</summary>
    public bool IsReachable { get; internal set; } = true;

    /// <summary>True for a node behind a NAT running in client mode: no routing table takes it.</summary>
    public bool IsClient { get; internal set; }

    /// <summary>Behind a NAT: the peers its NAT admits; null for a reachable node.</summary>
    internal NatPermissions? Nat { get; set; }

    /// <summary>True for an eclipse attacker.</summary>
    public bool IsEclipseAttacker { get; internal set; }

    /// <summary>For a Sybil ground next to a record key: its bucket of the key (bits in common); -1 otherwise.</summary>
    public int SybilBucket { get; internal set; } = -1;

    /// <summary>True once the node left for good (never returns).</summary>
    public bool HasDeparted { get; internal set; }

    /// <summary>Whether the node answers a request from a stranger: online, reachable and not silent.</summary>
    public bool Answers => IsOnline && IsReachable && Behavior != NodeBehavior.Silent;

    /// <summary>When each bucket was last covered by one of the node's own lookups (ticks; allocated on first use).</summary>
    private long[]? _refreshedTicks;

    /// <summary>Notes that a lookup of the node's just covered <paramref name="bucket"/> (the engine's <c>MarkRefreshed</c>).</summary>
    internal void MarkRefreshed(int bucket, DateTimeOffset now)
    {
        if (bucket < Identity.NodeId.Bits)
        {
            (_refreshedTicks ??= new long[Identity.NodeId.Bits])[bucket] = now.UtcTicks;
        }
    }

    /// <summary>Whether <paramref name="bucket"/> was covered by a lookup of the node's since <paramref name="since"/>.</summary>
    internal bool RefreshedSince(int bucket, DateTimeOffset since) =>
        _refreshedTicks is not null && bucket < _refreshedTicks.Length && _refreshedTicks[bucket] > since.UtcTicks;

    /// <summary>Indexes of the records the node stores.</summary>
    internal HashSet<int> Records { get; } = [];

    /// <summary>How many records the node stores.</summary>
    public int RecordCount => Records.Count;
}

/// <summary>
/// A compact routing table for large simulated networks: indexes of contacts, at most k per bucket,
/// bucket membership derived from the IDs. The real <see cref="RoutingTable"/> costs a contact object
/// per entry; at 100,000 nodes the compact form keeps memory per node near a kilobyte.
/// </summary>
public sealed class SimulatedTable
{
    private readonly List<int> _contacts = [];
    private Dictionary<int, ContactMeasure>? _measures; // only for contacts the owner has sent to

    /// <summary>Contacts held.</summary>
    public int Count => _contacts.Count;

    /// <summary>The contacts' node indexes, oldest first (a contact moves to the end when it answers, as in a k-bucket).</summary>
    public IReadOnlyList<int> Contacts => _contacts;

    /// <summary>Whether <paramref name="node"/> is in the table.</summary>
    public bool Contains(int node) => _contacts.Contains(node);

    internal void Add(int node) => _contacts.Add(node);

    internal bool Remove(int node)
    {
        _measures?.Remove(node);
        return _contacts.Remove(node);
    }

    internal void RemoveWhere(Predicate<int> match)
    {
        if (_measures is not null)
        {
            foreach (var contact in _contacts)
            {
                if (match(contact)) _measures.Remove(contact);
            }
        }

        _contacts.RemoveAll(match);
    }

    /// <summary>The request timeout the owner would use for <paramref name="node"/>: from its own measurements, or null when it has none.</summary>
    internal TimeSpan? Timeout(int node, TimeSpan min, TimeSpan max) =>
        _measures is not null && _measures.TryGetValue(node, out var measure) && _contacts.Contains(node) ? measure.Timeout(min, max) : null;

    /// <summary>An answer from contact <paramref name="node"/> after <paramref name="rtt"/> (ignored when it is not in the table).</summary>
    internal void RecordSuccess(int node, TimeSpan rtt)
    {
        var position = _contacts.IndexOf(node);
        if (position < 0)
        {
            return;
        }

        _measures ??= [];
        System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_measures, node, out _).RecordSuccess(rtt);
        _contacts.RemoveAt(position);
        _contacts.Add(node);
    }

    /// <summary>An unanswered request to <paramref name="node"/>: true when it was the <paramref name="threshold"/>-th in a row and the contact is evicted.</summary>
    internal bool RecordFailure(int node, int threshold)
    {
        if (!_contacts.Contains(node))
        {
            return false;
        }

        _measures ??= [];
        ref var measure = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_measures, node, out _);
        measure.RecordFailure();
        if (measure.ConsecutiveFailures < threshold)
        {
            return false;
        }

        Remove(node);
        return true;
    }
}
