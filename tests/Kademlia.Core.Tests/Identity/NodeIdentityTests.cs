using Kademlia.Identity;

namespace Kademlia.Tests.Identity;

public class NodeIdentityTests
{
    [Fact]
    public void Export_then_import_keeps_the_key_id_and_nonce()
    {
        using var original = NodeIdentity.Generate(NetworkParameters.Test);
        var blob = original.Export();
        Assert.Equal(NodeIdentity.ExportSize, blob.Length);
        Assert.True(NodeIdentity.TryImport(blob, out var restored));
        using (restored)
        {
            Assert.Equal(original.Id, restored!.Id);
            Assert.Equal(original.PowNonce, restored.PowNonce);
            Assert.True(original.PublicKey.SequenceEqual(restored.PublicKey));
            Assert.True(restored.MeetsProofOfWork(NetworkParameters.Test));
        }
    }

    [Fact]
    public void Import_refuses_a_blob_of_the_wrong_size_or_version()
    {
        using var identity = NodeIdentity.Generate(NetworkParameters.Test);
        var blob = identity.Export();
        Assert.False(NodeIdentity.TryImport(blob.AsSpan(1), out _));
        Assert.False(NodeIdentity.TryImport([.. blob, 0], out _));
        blob[0] = 99;
        Assert.False(NodeIdentity.TryImport(blob, out _));
    }

    [Fact]
    public void Signatures_verify_under_the_public_key_and_fail_when_tampered()
    {
        using var identity = NodeIdentity.Generate(NetworkParameters.Test);
        byte[] message = [1, 2, 3, 4];
        var signature = identity.Sign(message);
        var key = identity.PublicIdentity;
        Assert.True(key.Verify(message, signature));
        Assert.False(key.Verify([1, 2, 3, 5], signature));
        signature[0] ^= 1;
        Assert.False(key.Verify(message, signature));
        Assert.False(key.Verify(message, signature.AsSpan(1)));
    }

    [Fact]
    public void The_id_is_the_hash_of_the_public_key()
    {
        using var identity = NodeIdentity.Generate(NetworkParameters.Test);
        Assert.Equal(NodeId.Hash(identity.PublicKey), identity.Id);
        Assert.Equal(identity.Id, identity.PublicIdentity.ToNodeId());
    }

    [Fact]
    public void Network_ids_differ_by_name_and_presets_validate()
    {
        Assert.NotEqual(NetworkParameters.Default.NetworkId, NetworkParameters.Test.NetworkId);
        Assert.Equal(NetworkParameters.NetworkIdFromName("kademlia"), NetworkParameters.Default.NetworkId);
        NetworkParameters.Default.Validate();
        NetworkParameters.Test.Validate();
        Assert.Throws<ArgumentOutOfRangeException>(() => (NetworkParameters.Test with { K = 0 }).Validate());
    }
}
