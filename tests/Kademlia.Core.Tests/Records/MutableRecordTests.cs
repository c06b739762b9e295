using System.Buffers.Binary;
using System.Security.Cryptography;
using CsCheck;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Tests.Wire;

namespace Kademlia.Tests.Records;

public class MutableRecordTests
{
    private static readonly NodeIdentity Publisher = WireVectors.A;
    private static readonly NodeIdentity Other = WireVectors.B;

    [Fact]
    public void A_created_record_verifies_for_its_key() =>
        Gen.Select(Gen.Byte.Array[0, RecordLimits.MaxSaltSize], Gen.ULong, Gen.Byte.Array[0, RecordLimits.MaxValueSize])
            .Sample((salt, sequence, value) =>
            {
                var record = MutableRecord.Create(Publisher, salt, sequence, value);
                return record.Verify() == RecordError.None
                    && record.VerifyFor(MutableRecord.KeyOf(Publisher.PublicIdentity, salt)) == RecordError.None
                    && record.Sequence == sequence
                    && record.Salt.Span.SequenceEqual(salt)
                    && record.Value.Span.SequenceEqual(value);
            }, iter: 50);

    [Fact]
    public void The_key_is_the_sha256_of_the_publisher_key_then_the_salt()
    {
        var record = MutableRecord.Create(Publisher, "foobar"u8, 1, "x"u8);
        var expected = SHA256.HashData([.. Publisher.PublicKey, .. "foobar"u8]);
        Assert.Equal(new NodeId(expected), record.Key);
        Assert.NotEqual(record.Key, MutableRecord.Create(Publisher, "foobaz"u8, 1, "x"u8).Key);
        Assert.NotEqual(record.Key, MutableRecord.Create(Other, "foobar"u8, 1, "x"u8).Key);
        Assert.Equal(record.Key, MutableRecord.Create(Publisher, "foobar"u8, 2, "y"u8).Key);
    }

    [Fact]
    public void The_signed_bytes_are_the_domain_then_length_prefixed_salt_sequence_and_value()
    {
        var record = MutableRecord.Create(Publisher, "salt"u8, 0x0102030405060708, "value"u8);
        byte[] expected = [.. "kademlia-mutable-record-v1"u8, 4, .. "salt"u8, 1, 2, 3, 4, 5, 6, 7, 8, 0, 5, .. "value"u8];
        Assert.Equal(expected, record.GetSignedBytes());
        Assert.True(Publisher.PublicIdentity.Verify(expected, record.Signature.Span));
    }

    [Fact]
    public void Tampering_with_any_field_fails_verification()
    {
        var record = MutableRecord.Create(Publisher, "salt"u8, 7, "value"u8);
        var signature = record.Signature.ToArray();
        Assert.Equal(RecordError.None, new MutableRecord(record.Publisher, "salt"u8, 7, "value"u8, signature).Verify());

        Assert.Equal(RecordError.InvalidSignature, new MutableRecord(Other.PublicIdentity, "salt"u8, 7, "value"u8, signature).Verify());
        Assert.Equal(RecordError.InvalidSignature, new MutableRecord(record.Publisher, "salu"u8, 7, "value"u8, signature).Verify());
        Assert.Equal(RecordError.InvalidSignature, new MutableRecord(record.Publisher, "salt"u8, 8, "value"u8, signature).Verify());
        Assert.Equal(RecordError.InvalidSignature, new MutableRecord(record.Publisher, "salt"u8, 7, "valuf"u8, signature).Verify());
        // Moving a byte from the value into the salt keeps the concatenation but not the length prefixes.
        Assert.Equal(RecordError.InvalidSignature, new MutableRecord(record.Publisher, "saltv"u8, 7, "alue"u8, signature).Verify());
        for (var bit = 0; bit < signature.Length * 8; bit += 7)
        {
            var flipped = signature.ToArray();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Equal(RecordError.InvalidSignature, new MutableRecord(record.Publisher, "salt"u8, 7, "value"u8, flipped).Verify());
        }
    }

    [Fact]
    public void A_provider_signature_never_verifies_as_a_mutable_record()
    {
        // Same key, signature made over the provider domain: the domain strings keep them apart.
        var provider = ProviderRecord.Create(Publisher, NodeId.Zero, WireVectors.EndpointA, 1, []);
        var forged = new MutableRecord(Publisher.PublicIdentity, [], 0, provider.GetSignedBytes(), provider.Signature.Span);
        Assert.Equal(RecordError.InvalidSignature, forged.Verify());
    }

    [Fact]
    public void Verification_never_throws_on_hostile_keys_and_signatures() =>
        Gen.Select(Gen.Byte.Array[32], Gen.Byte.Array[64]).Sample((key, signature) =>
            new MutableRecord(new NodePublicKey(key), [], 0, [], signature).Verify() == RecordError.InvalidSignature);

    [Fact]
    public void Size_limits_hold_at_the_boundaries()
    {
        var record = MutableRecord.Create(Publisher, new byte[64], ulong.MaxValue, new byte[1000]);
        Assert.Equal(RecordError.None, record.Verify());
        Assert.Throws<ArgumentException>(() => MutableRecord.Create(Publisher, new byte[65], 0, []));
        Assert.Throws<ArgumentException>(() => MutableRecord.Create(Publisher, [], 0, new byte[1001]));
        Assert.Throws<ArgumentException>(() => new MutableRecord(Publisher.PublicIdentity, [], 0, [], new byte[63]));
        Assert.Throws<ArgumentException>(() => new MutableRecord(Publisher.PublicIdentity, new byte[65], 0, [], new byte[64]));
        Assert.Throws<ArgumentException>(() => MutableRecord.KeyOf(Publisher.PublicIdentity, new byte[65]));
    }

    [Fact]
    public void Sequence_numbers_are_signed_big_endian()
    {
        var record = MutableRecord.Create(Publisher, [], 0x1122334455667788, []);
        var signed = record.GetSignedBytes();
        Assert.Equal(0x1122334455667788UL, BinaryPrimitives.ReadUInt64BigEndian(signed.AsSpan(26 + 1)));
    }
}
