using System.Security.Cryptography;
using CsCheck;
using Kademlia.Identity;
using Kademlia.Records;

namespace Kademlia.Tests.Records;

public class ImmutableRecordTests
{
    [Fact]
    public void The_key_is_the_sha256_of_the_value() =>
        Gen.Byte.Array[0, RecordLimits.MaxValueSize].Sample(value =>
        {
            var record = ImmutableRecord.Create(value);
            return record.Key == new NodeId(SHA256.HashData(value))
                && record.Key == ImmutableRecord.KeyOf(value)
                && record.Value.Span.SequenceEqual(value)
                && record.Verify() == RecordError.None
                && record.VerifyFor(record.Key) == RecordError.None;
        });

    [Fact]
    public void A_record_offered_under_another_key_is_a_key_mismatch()
    {
        var record = ImmutableRecord.Create("a"u8);
        Assert.Equal(RecordError.KeyMismatch, record.VerifyFor(ImmutableRecord.KeyOf("b"u8)));
    }

    [Fact]
    public void Values_up_to_1000_bytes_are_accepted_and_longer_ones_refused()
    {
        Assert.Equal(1000, ImmutableRecord.Create(new byte[1000]).Value.Length);
        Assert.Throws<ArgumentException>(() => ImmutableRecord.Create(new byte[1001]));
    }

    [Fact]
    public void The_record_keeps_its_own_copy_of_the_value()
    {
        var value = new byte[] { 1, 2, 3 };
        var record = ImmutableRecord.Create(value);
        value[0] = 9;
        Assert.Equal(1, record.Value.Span[0]);
        Assert.Equal(ImmutableRecord.KeyOf([1, 2, 3]), record.Key);
    }
}
