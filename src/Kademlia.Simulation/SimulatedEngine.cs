using System.Net;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Routing;

namespace Kademlia.Simulation;

/// <summary>One node of an <see cref="EngineNetwork"/>: a real engine, its address and latency, and what it reported.</summary>
public sealed class SimulatedEngine : IDisposable
{
    private readonly Dictionary<QueryId, QueryResult> _results = [];
    private readonly List<EngineEvent> _events = [];

    internal SimulatedEngine(int index, NodeIdentity identity, KademliaEngine engine, IPEndPoint endPoint, TimeSpan latencyShare, int latencyKey, Nat? nat = null)
    {
        Nat = nat;
        Index = index;
        Identity = identity;
        Engine = engine;
        EndPoint = endPoint;
        LatencyShare = latencyShare;
        LatencyKey = latencyKey;
    }

    /// <summary>The node's position in the network.</summary>
    public int Index { get; }

    /// <summary>The node's identity.</summary>
    public NodeIdentity Identity { get; }

    /// <summary>The engine.</summary>
    public KademliaEngine Engine { get; }

    /// <summary>
    /// Where the node receives datagrams: a public endpoint, or behind a NAT its inside (private) endpoint,
    /// which only nodes behind the same NAT can reach.
    /// </summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The NAT the node sits behind, or null for a public node.</summary>
    public Nat? Nat { get; }

    /// <summary>The node's contact.</summary>
    public NodeInfo Info => Engine.LocalInfo;

    /// <summary>
    /// The node's share of every round trip it takes part in (<see cref="LatencyModel"/>); behind a NAT, the
    /// NAT's access link, shared by its hosts.
    /// </summary>
    public TimeSpan LatencyShare { get; }

    /// <summary>The key of the node's access link in the latency model: its index, or its NAT's key.</summary>
    internal int LatencyKey { get; }

    /// <summary>Whether the node was stopped.</summary>
    public bool IsStopped { get; internal set; }

    /// <summary>Every event the engine reported, in order.</summary>
    public IReadOnlyList<EngineEvent> Events => _events;

    internal DateTimeOffset? TimerAt { get; set; }

    /// <summary>The result of a finished query, once (it is removed).</summary>
    public QueryResult? TakeResult(QueryId query) => _results.Remove(query, out var result) ? result : null;

    /// <inheritdoc/>
    public void Dispose()
    {
        Engine.Dispose();
        Identity.Dispose();
    }

    internal void Record(EngineEvent engineEvent)
    {
        _events.Add(engineEvent);
        if (engineEvent is QueryFinished finished)
        {
            _results[finished.Query] = finished.Result;
        }
    }
}
