using BenchmarkDotNet.Attributes;
using Kademlia.Identity;

namespace Kademlia.Benchmarks;

/// <summary>Costs of the 256-bit metric and of verifying a proof-of-work.</summary>
[MemoryDiagnoser]
public class IdentityBenchmarks
{
    private NodeId[] _ids = null!;
    private ulong[] _nonces = null!;
    private NodeId _target;
    private int _next;
    private readonly NetworkParameters _network = NetworkParameters.Test with { StaticDifficulty = 0, DynamicDifficulty = 8 };

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _ids = Enumerable.Range(0, 1024).Select(_ => NodeId.Random(random)).ToArray();
        _nonces = _ids.Select(id => ProofOfWork.SolveDynamic(id, 8)).ToArray();
        _target = NodeId.Random(random);
    }

    /// <summary>Which of two IDs is closer to a target.</summary>
    [Benchmark]
    public int CompareDistance()
    {
        var i = _next++ & 1023;
        return _target.CompareDistance(_ids[i], _ids[(i + 1) & 1023]);
    }

    /// <summary>The bucket index of an ID: its common-prefix length with the owner.</summary>
    [Benchmark]
    public int BucketIndex() => _target.CommonPrefixLength(_ids[_next++ & 1023]);

    /// <summary>Both S/Kademlia puzzles from a known ID: two SHA-256 computations.</summary>
    [Benchmark]
    public bool VerifyProofOfWork()
    {
        var i = _next++ & 1023;
        return ProofOfWork.Verify(_ids[i], _nonces[i], _network);
    }
}
