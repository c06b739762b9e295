using Kademlia.Identity;
using Kademlia.Routing;

namespace Kademlia.Engine.Internal;

/// <summary>What a rendezvous does with one RELAY_SEND frame.</summary>
internal enum RelayDecision
{
    /// <summary>Pass it on to the destination.</summary>
    Forward,

    /// <summary>No circuit joins the two and none may be opened (the destination is not our client, or too many circuits).</summary>
    NoCircuit,

    /// <summary>The circuit has carried its bytes in that direction or outlived its duration.</summary>
    Limit,
}

/// <summary>
/// As a rendezvous: the relay circuits open between pairs of nodes, with what each carried, enforcing
/// <see cref="RelayLimits"/>. It decides and counts; the engine forwards.
/// </summary>
/// <remarks>
/// A circuit is opened by the first frame from a node to one of our clients, and then carries frames both
/// ways. It lasts <see cref="RelayLimits.MaxDuration"/> from then; a direction that has carried
/// <see cref="RelayLimits.MaxBytesPerDirection"/> refuses more until the circuit ends. An ended circuit is
/// removed at the next frame of its pair or when room is needed, so the same pair can open a new one only
/// once the old one's duration is over: a pair gets at most the byte limit per duration and direction.
/// </remarks>
internal sealed class RelayCircuits(RelayLimits limits)
{
    private readonly Dictionary<(NodeId Low, NodeId High), Circuit> _circuits = [];
    private readonly Dictionary<NodeId, int> _perPeer = [];

    /// <summary>Circuits currently open (ended ones not yet removed included).</summary>
    public int Count => _circuits.Count;

    /// <summary>Circuits opened so far.</summary>
    public long Opened { get; private set; }

    /// <summary>Frames forwarded so far.</summary>
    public long FramesRelayed { get; private set; }

    /// <summary>Relayed packet bytes forwarded so far.</summary>
    public long BytesRelayed { get; private set; }

    /// <summary>
    /// Decides about a frame of <paramref name="length"/> packet bytes from <paramref name="from"/> to
    /// <paramref name="to"/>; when <paramref name="toIsOurClient"/>, a circuit may be opened for it.
    /// </summary>
    /// <param name="now">The time of the frame.</param>
    /// <param name="from">The sender, authenticated by its session with us.</param>
    /// <param name="to">The destination it names.</param>
    /// <param name="toIsOurClient">Whether the destination is a client that keeps a session with us.</param>
    /// <param name="length">The relayed packet's length.</param>
    /// <param name="destination">The destination's contact as the circuit knows it (for a reply to the opener).</param>
    public RelayDecision Decide(DateTimeOffset now, NodeInfo from, NodeId to, bool toIsOurClient, int length, out NodeInfo destination)
    {
        destination = default;
        var pair = Pair(from.Id, to);
        if (_circuits.TryGetValue(pair, out var circuit) && now - circuit.OpenedAt >= limits.MaxDuration)
        {
            Close(pair, circuit);
            if (!toIsOurClient)
            {
                return RelayDecision.Limit;
            }

            circuit = null;
        }

        if (circuit is null)
        {
            if (!toIsOurClient || !TryOpen(now, from, to, pair, out circuit))
            {
                return RelayDecision.NoCircuit;
            }
        }

        var forward = circuit.Opener.Id == from.Id;
        var carried = forward ? circuit.BytesFromOpener : circuit.BytesToOpener;
        if (carried + length > limits.MaxBytesPerDirection)
        {
            return RelayDecision.Limit;
        }

        if (forward)
        {
            circuit.BytesFromOpener += length;
        }
        else
        {
            circuit.BytesToOpener += length;
        }

        FramesRelayed++;
        BytesRelayed += length;
        destination = forward ? default : circuit.Opener;
        return RelayDecision.Forward;
    }

    private bool TryOpen(DateTimeOffset now, NodeInfo from, NodeId to, (NodeId, NodeId) pair, out Circuit circuit)
    {
        circuit = null!;
        if (_circuits.Count >= limits.MaxCircuits)
        {
            RemoveEnded(now);
        }

        if (_circuits.Count >= limits.MaxCircuits
            || _perPeer.GetValueOrDefault(from.Id) >= limits.MaxCircuitsPerPeer
            || _perPeer.GetValueOrDefault(to) >= limits.MaxCircuitsPerPeer)
        {
            return false;
        }

        circuit = new Circuit(from, now);
        _circuits[pair] = circuit;
        _perPeer[from.Id] = _perPeer.GetValueOrDefault(from.Id) + 1;
        _perPeer[to] = _perPeer.GetValueOrDefault(to) + 1;
        Opened++;
        return true;
    }

    private void RemoveEnded(DateTimeOffset now)
    {
        foreach (var (pair, circuit) in _circuits)
        {
            if (now - circuit.OpenedAt >= limits.MaxDuration)
            {
                Close(pair, circuit);
            }
        }
    }

    private void Close((NodeId Low, NodeId High) pair, Circuit circuit)
    {
        _circuits.Remove(pair);
        Release(pair.Low);
        Release(pair.High);
    }

    private void Release(NodeId peer)
    {
        if (_perPeer.TryGetValue(peer, out var count) && count > 1)
        {
            _perPeer[peer] = count - 1;
        }
        else
        {
            _perPeer.Remove(peer);
        }
    }

    private static (NodeId Low, NodeId High) Pair(NodeId a, NodeId b) => a.CompareTo(b) < 0 ? (a, b) : (b, a);

    /// <summary>One circuit: who opened it (the other end is our client), when, and what each direction carried.</summary>
    private sealed class Circuit(NodeInfo opener, DateTimeOffset openedAt)
    {
        public NodeInfo Opener { get; } = opener;

        public DateTimeOffset OpenedAt { get; } = openedAt;

        public long BytesFromOpener { get; set; }

        public long BytesToOpener { get; set; }
    }
}
