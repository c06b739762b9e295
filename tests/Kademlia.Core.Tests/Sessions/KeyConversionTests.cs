using CsCheck;
using Kademlia.Sessions;
using Kademlia.Sessions.Noise;
using NSec.Cryptography;

namespace Kademlia.Tests.Sessions;

public class KeyConversionTests
{
    // RFC 8032 section 7.1, test 1. The expected X25519 values were computed independently (Python
    // "cryptography" for X25519 and the map u = (1 + y) / (1 - y) mod 2^255 - 19 for the public key).
    private const string Seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    private const string Ed25519PublicKey = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    private const string X25519PrivateKey = "307c83864f2833cb427a2ef1c00a013cfdff2768d980c0a3a520f006904de94f";
    private const string X25519PublicKey = "d85e07ec22b0ad881537c2f44d662d1a143cf830c57aca4305d85c7a90f6b62e";

    [Fact]
    public void The_RFC_8032_test_key_converts_to_the_known_X25519_pair()
    {
        var privateKey = new byte[32];
        var publicKey = new byte[32];

        KeyConversion.ConvertSeed(Convert.FromHexString(Seed), privateKey);
        Assert.True(KeyConversion.TryConvertPublicKey(Convert.FromHexString(Ed25519PublicKey), publicKey));

        Assert.Equal(X25519PrivateKey, Convert.ToHexString(privateKey), ignoreCase: true);
        Assert.Equal(X25519PublicKey, Convert.ToHexString(publicKey), ignoreCase: true);
    }

    [Fact]
    public void Converted_keys_agree_on_a_shared_secret_from_both_sides()
    {
        Gen.Select(Gen.Byte.Array[32], Gen.Byte.Array[32]).Sample((seedA, seedB) =>
        {
            var (privateA, publicA) = ConvertKeys(seedA);
            var (privateB, publicB) = ConvertKeys(seedB);
            using var keyA = Dh25519.ImportPrivateKey(privateA);
            using var keyB = Dh25519.ImportPrivateKey(privateB);
            var sharedAb = new byte[32];
            var sharedBa = new byte[32];

            Assert.True(Dh25519.TryAgree(keyA, publicB, sharedAb));
            Assert.True(Dh25519.TryAgree(keyB, publicA, sharedBa));
            Assert.Equal(sharedAb, sharedBa);
        }, iter: 50);
    }

    [Fact]
    public void A_public_key_that_is_not_a_curve_point_is_rejected()
    {
        // y = 2 has no x on edwards25519, so the encoding is not a point.
        var invalid = new byte[32];
        invalid[0] = 2;

        Assert.False(KeyConversion.TryConvertPublicKey(invalid, new byte[32]));
    }

    private static (byte[] Private, byte[] Public) ConvertKeys(byte[] seed)
    {
        using var ed = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);
        var x25519Private = new byte[32];
        var x25519Public = new byte[32];
        KeyConversion.ConvertSeed(seed, x25519Private);
        Assert.True(KeyConversion.TryConvertPublicKey(ed.PublicKey.Export(KeyBlobFormat.RawPublicKey), x25519Public));
        return (x25519Private, x25519Public);
    }
}
