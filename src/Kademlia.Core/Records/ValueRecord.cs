using Kademlia.Identity;

namespace Kademlia.Records;

/// <summary>
/// A value stored in the DHT under a 256-bit key: either an <see cref="ImmutableRecord"/> or a
/// <see cref="MutableRecord"/> (the only two subclasses).
/// </summary>
/// <remarks>
/// Instances are immutable and always within <see cref="RecordLimits"/>: constructors copy their
/// inputs and refuse oversized ones, and the wire decoder checks every length before building one.
/// A decoded record is not yet trusted: call <see cref="VerifyFor"/> before storing or returning it.
/// </remarks>
public abstract class ValueRecord
{
    private protected ValueRecord(NodeId key, byte[] value)
    {
        Key = key;
        ValueBytes = value;
    }

    /// <summary>The DHT key the record is stored under.</summary>
    public NodeId Key { get; }

    /// <summary>The stored bytes, at most <see cref="RecordLimits.MaxValueSize"/>.</summary>
    public ReadOnlyMemory<byte> Value => ValueBytes;

    /// <summary>Which subclass this is.</summary>
    public abstract RecordKind Kind { get; }

    /// <summary>The value array, owned by this record and never exposed for writing.</summary>
    private protected byte[] ValueBytes { get; }

    /// <summary>
    /// Checks what can be checked without a store: the signature of a mutable record. An immutable
    /// record is valid by construction (its key is computed from its value).
    /// </summary>
    public abstract RecordError Verify();

    /// <summary>
    /// Checks that the record answers a request for <paramref name="key"/> and then
    /// <see cref="Verify"/>s it. Use this on every record received: a peer may answer with a valid
    /// record of another key.
    /// </summary>
    public RecordError VerifyFor(NodeId key) => key != Key ? RecordError.KeyMismatch : Verify();

    /// <summary>Throws when <paramref name="value"/> is longer than the protocol allows.</summary>
    private protected static void CheckValue(ReadOnlySpan<byte> value)
    {
        if (value.Length > RecordLimits.MaxValueSize)
        {
            throw new ArgumentException(
                $"A record value is at most {RecordLimits.MaxValueSize} bytes, not {value.Length}.", nameof(value));
        }
    }
}
