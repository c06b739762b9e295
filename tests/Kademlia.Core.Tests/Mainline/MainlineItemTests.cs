using System.Text;
using CsCheck;
using Kademlia.Identity;
using Kademlia.Mainline;
using NSec.Cryptography;

namespace Kademlia.Tests.Mainline;

/// <summary>
/// BEP 44 items against the BEP's "Test vectors" section (test 1 mutable, test 2 mutable with salt, test 3
/// immutable). The BEP's private key is the 64-byte expanded form, which libsodium cannot import, so the
/// vectors are checked by verifying the published signatures with the published public key; signing is
/// checked by property with keys made here.
/// </summary>
public class MainlineItemTests
{
    private static readonly NodePublicKey VectorKey = new(Convert.FromHexString("77ff84905a91936367c01360803104f92432fcd904a43511876df5cdf3e7e548"));
    private static readonly BencodeString HelloWorld = BencodeString.FromUtf8("Hello World!");

    private static readonly byte[] Test1Signature = Convert.FromHexString(
        "305ac8aeb6c9c151fa120f120ea2cfb923564e11552d06a5d856091e5e853cff1260d3f39e4999684aa92eb73ffd136e6f4f3ecbfda0ce53a1608ecd7ae21f01");

    private static readonly byte[] Test2Signature = Convert.FromHexString(
        "6834284b6b24c3204eb2fea824d82f88883a3d95e8b4a21b8c0ded553d17d17ddf9a8a7104b1258f30bed3787e6cb896fca78c58f8e03b5f18f14951a87d9a08");

    [Fact]
    public void Bep44_test_1_mutable()
    {
        var item = new MutableItem(VectorKey, BencodeString.Empty, 1, HelloWorld, Test1Signature);
        Assert.Equal("12:Hello World!", Encoding.ASCII.GetString(item.EncodedValue.Span));
        Assert.Equal("3:seqi1e1:v12:Hello World!", Encoding.ASCII.GetString(MutableItem.GetSignedBytes([], 1, item.EncodedValue.Span)));
        Assert.Equal(MainlineId.Parse("4a533d47ec9c7d95b1ad75f576cffc641853b750"), item.Target);
        Assert.True(item.Verify());
    }

    [Fact]
    public void Bep44_test_2_mutable_with_salt()
    {
        var salt = BencodeString.FromUtf8("foobar");
        var item = new MutableItem(VectorKey, salt, 1, HelloWorld, Test2Signature);
        Assert.Equal("4:salt6:foobar3:seqi1e1:v12:Hello World!", Encoding.ASCII.GetString(MutableItem.GetSignedBytes(salt.Span, 1, item.EncodedValue.Span)));
        Assert.Equal(MainlineId.Parse("411eba73b6f087ca51a3795d9c8c938d365e32c1"), item.Target);
        Assert.True(item.Verify());
    }

    [Fact]
    public void Bep44_test_3_immutable() =>
        Assert.Equal(MainlineId.Parse("e5f96f6f38320f0f33959cb4d3d656452117aadb"), new ImmutableItem(HelloWorld).Target);

    [Fact]
    public void A_vector_signature_fails_for_any_other_sequence_salt_value_or_key()
    {
        Assert.False(new MutableItem(VectorKey, BencodeString.Empty, 2, HelloWorld, Test1Signature).Verify());
        Assert.False(new MutableItem(VectorKey, BencodeString.FromUtf8("foobar"), 1, HelloWorld, Test1Signature).Verify());
        Assert.False(new MutableItem(VectorKey, BencodeString.Empty, 1, BencodeString.FromUtf8("Hello World?"), Test1Signature).Verify());
        Assert.False(new MutableItem(VectorKey, BencodeString.FromUtf8("foobaz"), 1, HelloWorld, Test2Signature).Verify());
        var otherKey = VectorKey.Span.ToArray();
        otherKey[0] ^= 1;
        Assert.False(new MutableItem(new NodePublicKey(otherKey), BencodeString.Empty, 1, HelloWorld, Test1Signature).Verify());
    }

    [Fact]
    public void Signed_items_verify_and_any_change_breaks_the_signature() =>
        Gen.Select(Gen.Byte.Array[0, MainlineItemRules.MaxSaltSize], Gen.Long[0, long.MaxValue], BencodeGen.Value).Sample((salt, sequence, value) =>
        {
            using var key = Key.Create(SignatureAlgorithm.Ed25519);
            var item = MutableItem.Sign(key, new BencodeString(salt), sequence, value);
            Assert.True(item.Verify());
            Assert.Equal(MutableItem.ComputeTarget(item.PublicKey, salt), item.Target);
            Assert.Equal(item.EncodedValue.Length > MainlineItemRules.MaxValueSize ? KrpcErrorCode.ValueTooBig : null, MainlineItemRules.CheckPut(item));

            var bumped = new MutableItem(item.PublicKey, item.Salt, sequence ^ 1, value, item.Signature);
            Assert.False(bumped.Verify());
            var resalted = new MutableItem(item.PublicKey, new BencodeString([.. salt, 0]), sequence, value, item.Signature);
            Assert.False(resalted.Verify());
        }, iter: 200);

    [Fact]
    public void A_get_response_yields_only_an_item_that_hashes_to_the_target_and_verifies()
    {
        var id = MainlineId.Parse("0102030405060708090a0b0c0d0e0f1011121314");
        var salted = new KrpcResponse(id)
        {
            Value = HelloWorld,
            PublicKey = VectorKey,
            Sequence = 1,
            Signature = new BencodeString(Test2Signature),
            Token = BencodeString.FromUtf8("tk"),
        };
        var target = MainlineId.Parse("411eba73b6f087ca51a3795d9c8c938d365e32c1");
        var item = Assert.IsType<MutableItem>(salted.GetVerifiedItem(target, "foobar"u8));
        Assert.Equal(1, item.Sequence);
        Assert.Null(salted.GetVerifiedItem(target, "foobaz"u8));
        Assert.Null(salted.GetVerifiedItem(target, []));
        Assert.Null((salted with { Sequence = 2 }).GetVerifiedItem(target, "foobar"u8));
        Assert.Null((salted with { Sequence = null }).GetVerifiedItem(target, "foobar"u8));

        var immutable = new KrpcResponse(id) { Value = HelloWorld };
        Assert.IsType<ImmutableItem>(immutable.GetVerifiedItem(MainlineId.Parse("e5f96f6f38320f0f33959cb4d3d656452117aadb"), []));
        Assert.Null(immutable.GetVerifiedItem(target, []));
        Assert.Null(new KrpcResponse(id).GetVerifiedItem(target, []));
    }

    [Fact]
    public void A_mutable_put_writes_the_keys_bep_44_lists()
    {
        var item = new MutableItem(VectorKey, BencodeString.FromUtf8("foobar"), 1, HelloWorld, Test2Signature);
        var id = MainlineId.Parse("0102030405060708090a0b0c0d0e0f1011121314");
        var put = new KrpcMessage(BencodeString.FromUtf8("aa"), new PutItemQuery(id, BencodeString.FromUtf8("tk"), item, Cas: 0));

        var expected = Encoding.Latin1.GetBytes("d1:ad3:casi0e2:id20:").Concat(id.ToArray())
            .Concat(Encoding.Latin1.GetBytes("1:k32:")).Concat(VectorKey.Span.ToArray())
            .Concat(Encoding.Latin1.GetBytes("4:salt6:foobar3:seqi1e3:sig64:")).Concat(Test2Signature)
            .Concat(Encoding.Latin1.GetBytes("5:token2:tk1:v12:Hello World!e1:q3:put1:t2:aa1:y1:qe"));
        Assert.Equal(expected, KrpcCodec.Encode(put));

        Assert.Equal(KrpcDecodeError.None, KrpcCodec.TryRead(expected.ToArray(), out var read));
        var query = Assert.IsType<PutItemQuery>(read!.Body);
        var readItem = Assert.IsType<MutableItem>(query.Item);
        Assert.True(readItem.Verify());
        Assert.Equal(0, query.Cas);
        Assert.Equal(item.Target, readItem.Target);
    }

    [Fact]
    public void An_immutable_put_carries_only_token_and_value()
    {
        var id = MainlineId.Parse("0102030405060708090a0b0c0d0e0f1011121314");
        var put = new KrpcMessage(BencodeString.FromUtf8("aa"), new PutItemQuery(id, BencodeString.FromUtf8("tk"), new ImmutableItem(HelloWorld)));
        var expected = Encoding.Latin1.GetBytes("d1:ad2:id20:").Concat(id.ToArray())
            .Concat(Encoding.Latin1.GetBytes("5:token2:tk1:v12:Hello World!e1:q3:put1:t2:aa1:y1:qe"));
        Assert.Equal(expected, KrpcCodec.Encode(put));
    }

    [Fact]
    public void Store_rules_answer_with_the_bep_44_error_codes()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519);

        // 205: a value over 1000 bytes once encoded; "996:" and 996 bytes is exactly 1000.
        Assert.Null(MainlineItemRules.CheckPut(new ImmutableItem(new BencodeString(new byte[996]))));
        Assert.Equal(KrpcErrorCode.ValueTooBig, MainlineItemRules.CheckPut(new ImmutableItem(new BencodeString(new byte[997]))));
        Assert.Equal(KrpcErrorCode.ValueTooBig, MainlineItemRules.CheckPut(MutableItem.Sign(key, BencodeString.Empty, 1, new BencodeString(new byte[997]))));

        // 207: a salt over 64 bytes, even correctly signed.
        Assert.Null(MainlineItemRules.CheckPut(MutableItem.Sign(key, new BencodeString(new byte[64]), 1, HelloWorld)));
        Assert.Equal(KrpcErrorCode.SaltTooBig, MainlineItemRules.CheckPut(MutableItem.Sign(key, new BencodeString(new byte[65]), 1, HelloWorld)));

        // 206: a signature that does not verify; 203 for a negative sequence number.
        var signed = MutableItem.Sign(key, BencodeString.Empty, 5, HelloWorld);
        Assert.Equal(KrpcErrorCode.InvalidSignature, MainlineItemRules.CheckPut(new MutableItem(signed.PublicKey, signed.Salt, 6, HelloWorld, signed.Signature)));
        Assert.Equal(KrpcErrorCode.Protocol, MainlineItemRules.CheckPut(MutableItem.Sign(key, BencodeString.Empty, -1, HelloWorld)));
    }

    [Fact]
    public void Replacement_rules_follow_cas_and_sequence_numbers()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var stored = MutableItem.Sign(key, BencodeString.Empty, 5, HelloWorld);
        var newer = MutableItem.Sign(key, BencodeString.Empty, 6, HelloWorld);
        var older = MutableItem.Sign(key, BencodeString.Empty, 4, HelloWorld);
        var sameNumberOtherValue = MutableItem.Sign(key, BencodeString.Empty, 5, BencodeString.FromUtf8("other"));

        Assert.Null(MainlineItemRules.CheckReplace(null, newer, cas: 99));
        Assert.Null(MainlineItemRules.CheckReplace(stored, newer, cas: null));
        Assert.Null(MainlineItemRules.CheckReplace(stored, newer, cas: 5));
        Assert.Equal(KrpcErrorCode.CasMismatch, MainlineItemRules.CheckReplace(stored, newer, cas: 4));
        Assert.Equal(KrpcErrorCode.SequenceTooLow, MainlineItemRules.CheckReplace(stored, older, cas: null));
        Assert.Null(MainlineItemRules.CheckReplace(stored, MutableItem.Sign(key, BencodeString.Empty, 5, HelloWorld), cas: null));
        Assert.Equal(KrpcErrorCode.SequenceTooLow, MainlineItemRules.CheckReplace(stored, sameNumberOtherValue, cas: null));
    }
}
