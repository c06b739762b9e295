using CsCheck;
using Kademlia.Identity;

namespace Kademlia.Tests.Identity;

/// <summary>
/// Vectors computed independently with Python's hashlib and the pyca/cryptography Ed25519 (see
/// docs/ARCHITECTURE.md, "Identity vectors"). The first key is RFC 8032's test 1.
/// </summary>
public class ProofOfWorkTests
{
    private const string Rfc8032Seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    private const string Rfc8032PublicKey = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    private const string Rfc8032NodeId = "21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9";

    // SHA-256("kademlia-vector-65"): the first of that series whose ID meets an 8-bit static puzzle.
    private const string StaticSeed = "931a316436d2535a7deb3ed13a794db4e55bf29e7d17d594426f092c050a281e";
    private const string StaticPublicKey = "114dda764335eca2abb14bce1020d3a54f4eb042040927c9aec4aa4f91785982";
    private const string StaticNodeId = "78e50c7e7982cb96174373854c2d5ed0b62015824614419db64541b4e6fef2ed";

    [Fact]
    public void Identity_from_the_RFC_8032_seed_has_the_published_key_and_its_hash_as_id()
    {
        using var identity = NodeIdentity.FromPrivateSeed(Convert.FromHexString(Rfc8032Seed), 0);
        Assert.Equal(Rfc8032PublicKey, Convert.ToHexStringLower(identity.PublicKey));
        Assert.Equal(Rfc8032NodeId, identity.Id.ToString());
    }

    [Theory]
    [InlineData(8, 498UL)]
    [InlineData(12, 702UL)]
    [InlineData(16, 68400UL)]
    public void SolveDynamic_finds_the_smallest_nonce_of_the_vector(int difficulty, ulong expected)
    {
        var id = NodeId.Parse(Rfc8032NodeId);
        Assert.Equal(expected, ProofOfWork.SolveDynamic(id, difficulty));
        Assert.True(ProofOfWork.DynamicScore(id, expected) >= difficulty);
        Assert.True(ProofOfWork.DynamicScore(id, expected - 1) < difficulty);
    }

    [Fact]
    public void Static_vector_meets_eight_bits_and_its_nonce_meets_twelve()
    {
        using var identity = NodeIdentity.FromPrivateSeed(Convert.FromHexString(StaticSeed), 2670);
        Assert.Equal(StaticPublicKey, Convert.ToHexStringLower(identity.PublicKey));
        Assert.Equal(StaticNodeId, identity.Id.ToString());
        Assert.Equal(8, ProofOfWork.StaticScore(identity.Id));
        Assert.Equal(13, ProofOfWork.DynamicScore(identity.Id, 2670));

        var network = NetworkParameters.Test with { StaticDifficulty = 8, DynamicDifficulty = 12 };
        Assert.True(identity.MeetsProofOfWork(network));
        Assert.False(identity.MeetsProofOfWork(network with { StaticDifficulty = 9 }));
        Assert.False(identity.MeetsProofOfWork(network with { DynamicDifficulty = 14 }));
    }

    [Fact]
    public void Rfc8032_id_fails_any_static_puzzle_whatever_its_nonce()
    {
        var id = NodeId.Parse(Rfc8032NodeId);
        var network = NetworkParameters.Test with { StaticDifficulty = 1, DynamicDifficulty = 8 };
        Assert.False(ProofOfWork.Verify(id, 498, network));
        Assert.True(ProofOfWork.Verify(id, 498, network with { StaticDifficulty = 0 }));
    }

    [Fact]
    public void SolveDynamic_returns_the_smallest_nonce_that_verifies() =>
        Gen.Select(NodeIdTests.GenId, Gen.Int[0, 8]).Sample((id, difficulty) =>
        {
            var nonce = ProofOfWork.SolveDynamic(id, difficulty);
            var network = NetworkParameters.Test with { StaticDifficulty = 0, DynamicDifficulty = difficulty };
            for (ulong smaller = 0; smaller < nonce; smaller++)
            {
                if (ProofOfWork.Verify(id, smaller, network)) return false;
            }

            return ProofOfWork.Verify(id, nonce, network);
        }, iter: 100);

    [Fact]
    public void Generate_meets_the_network_difficulties_and_reports_progress()
    {
        var network = NetworkParameters.Test with { StaticDifficulty = 4, DynamicDifficulty = 10 };
        var reports = new List<ProofOfWorkProgress>();
        using var identity = NodeIdentity.Generate(network, new InlineProgress(reports.Add));
        Assert.True(identity.MeetsProofOfWork(network));
        Assert.True(ProofOfWork.StaticScore(identity.Id) >= 4);
        Assert.Contains(reports, r => r.Stage == ProofOfWorkStage.StaticPuzzle && r.Attempts >= 1);
        Assert.Contains(reports, r => r.Stage == ProofOfWorkStage.DynamicPuzzle && r.Attempts >= 1);
    }

    [Fact]
    public void Generate_stops_when_cancelled()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => NodeIdentity.Generate(NetworkParameters.Default, cancellationToken: cancelled.Token));
    }

    private sealed class InlineProgress(Action<ProofOfWorkProgress> report) : IProgress<ProofOfWorkProgress>
    {
        public void Report(ProofOfWorkProgress value) => report(value);
    }
}
