using Kademlia.Identity;
using Kademlia.Routing;

namespace Kademlia.Lookup;

/// <summary>
/// S/Kademlia's d disjoint lookup paths: d <see cref="ClosestNodesLookup"/>s started from disjoint
/// shares of the starting contacts, where every node is queried by at most one path. An adversary
/// must then sit on every path to hide the target; with 20% adversarial nodes, d = 4 keeps lookup
/// success near 99% (Baumgart and Mies, 2007).
/// </summary>
/// <remarks>
/// With d = 1 it is exactly one <see cref="ClosestNodesLookup"/>. Paths are polled round-robin, so
/// each keeps its own α queries in flight. The result merges the paths' answers.
/// </remarks>
public sealed class DisjointLookup
{
    private readonly ClosestNodesLookup[] _paths;
    private readonly Dictionary<NodeId, int> _pathOfPeer = [];
    private int _nextPath;

    /// <summary>Starts d disjoint lookups of <paramref name="target"/>.</summary>
    /// <param name="target">The ID or key looked up.</param>
    /// <param name="self">The originator, never queried nor returned.</param>
    /// <param name="seeds">Starting contacts; dealt to the paths in turn, closest first.</param>
    /// <param name="options">k, α, the number d of paths and the timeout bounds.</param>
    /// <param name="timeoutFor">A peer's own timeout estimate, or null when never measured.</param>
    public DisjointLookup(NodeId target, NodeId self, IEnumerable<NodeInfo> seeds, LookupOptions options, Func<NodeInfo, TimeSpan?>? timeoutFor = null)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DisjointPaths, 1);
        var paths = options.DisjointPaths;
        Target = target;
        K = options.K;
        var ordered = seeds.Where(s => s.Id != self).DistinctBy(s => s.Id).OrderBy(s => s.Id ^ target).ToList();
        var claims = paths > 1 ? new Dictionary<NodeId, (ClosestNodesLookup Path, LookupCandidate Candidate)>() : null;
        _paths = new ClosestNodesLookup[paths];
        for (var p = 0; p < paths; p++)
        {
            var share = ordered.Where((_, i) => i % paths == p);
            _paths[p] = new ClosestNodesLookup(target, self, share, options, timeoutFor, claims);
        }
    }

    /// <summary>The ID or key looked up.</summary>
    public NodeId Target { get; }

    /// <summary>How many closest nodes the lookup finds.</summary>
    public int K { get; }

    /// <summary>The paths.</summary>
    public IReadOnlyList<ClosestNodesLookup> Paths => _paths;

    /// <summary>True once every path has finished.</summary>
    public bool IsFinished => _paths.All(p => p.IsFinished);

    /// <summary>Queries sent by all paths.</summary>
    public int QueriesSent => _paths.Sum(p => p.QueriesSent);

    /// <summary>Up to k answering nodes of all paths, closest first.</summary>
    public IReadOnlyList<LookupCandidate> Result =>
        _paths.Length == 1
            ? _paths[0].Result
            : _paths.SelectMany(p => p.Result).DistinctBy(c => c.Node.Id).OrderBy(c => c.Node.Id ^ Target).Take(K).ToList();

    /// <summary>The depth of the closest answering node of any path (0 when none answered).</summary>
    public int Hops => Result.Count == 0 ? 0 : Result[0].Depth;

    /// <summary>What to do next: a query of some path, a wait, or Finished once every path is.</summary>
    public LookupStep Next(DateTimeOffset now)
    {
        DateTimeOffset? wakeAt = null;
        var finished = 0;
        for (var i = 0; i < _paths.Length; i++)
        {
            var index = (_nextPath + i) % _paths.Length;
            var step = _paths[index].Next(now);
            switch (step.Kind)
            {
                case LookupStepKind.Send:
                    _pathOfPeer[step.Peer.Id] = index;
                    _nextPath = (index + 1) % _paths.Length;
                    return step;
                case LookupStepKind.Waiting:
                    wakeAt = Deadlines.Earliest(wakeAt, step.WakeAt);
                    break;
                default:
                    finished++;
                    break;
            }
        }

        return finished == _paths.Length ? LookupStep.Finished : new LookupStep(LookupStepKind.Waiting, WakeAt: wakeAt);
    }

    /// <summary>Ends every path now.</summary>
    public void Stop()
    {
        foreach (var path in _paths)
        {
            path.Stop();
        }
    }

    /// <summary>Whether some path queried <paramref name="peer"/>.</summary>
    public bool HasQueried(NodeId peer) => _pathOfPeer.ContainsKey(peer);

    /// <summary>Every candidate of every path that answered, closest first (more than k when paths differ).</summary>
    public IEnumerable<LookupCandidate> Answered =>
        _paths.SelectMany(p => p.Candidates).Where(c => c.State == CandidateState.Succeeded).DistinctBy(c => c.Node.Id).OrderBy(c => c.Node.Id ^ Target);

    /// <summary>Routes an answer to the path that queried <paramref name="peer"/>.</summary>
    public void OnSuccess(NodeId peer, ReadOnlySpan<NodeInfo> closer, DateTimeOffset now)
    {
        if (_pathOfPeer.TryGetValue(peer, out var path))
        {
            _paths[path].OnSuccess(peer, closer, now);
        }
    }

    /// <summary>Routes a failure to the path that queried <paramref name="peer"/>.</summary>
    public void OnFailure(NodeId peer)
    {
        if (_pathOfPeer.TryGetValue(peer, out var path))
        {
            _paths[path].OnFailure(peer);
        }
    }
}
