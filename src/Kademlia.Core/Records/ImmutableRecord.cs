using Kademlia.Identity;

namespace Kademlia.Records;

/// <summary>
/// A value whose key is its own SHA-256 hash, so that anyone can check it and nobody can change it.
/// As BEP 44 immutable items, with SHA-256 instead of SHA-1 and the raw value instead of its bencoding.
/// </summary>
public sealed class ImmutableRecord : ValueRecord, IEquatable<ImmutableRecord>
{
    private ImmutableRecord(byte[] value)
        : base(NodeId.Hash(value), value)
    {
    }

    /// <inheritdoc/>
    public override RecordKind Kind => RecordKind.Immutable;

    /// <summary>A record of a copy of <paramref name="value"/>; its key is SHA-256(value).</summary>
    /// <exception cref="ArgumentException">The value is longer than <see cref="RecordLimits.MaxValueSize"/>.</exception>
    public static ImmutableRecord Create(ReadOnlySpan<byte> value)
    {
        CheckValue(value);
        return new ImmutableRecord(value.ToArray());
    }

    /// <summary>Takes ownership of a value the decoder has already bounded.</summary>
    internal static ImmutableRecord FromOwned(byte[] value) => new(value);

    /// <summary>The key of the immutable record of <paramref name="value"/>: SHA-256(value).</summary>
    public static NodeId KeyOf(ReadOnlySpan<byte> value) => NodeId.Hash(value);

    /// <inheritdoc/>
    public override RecordError Verify() => RecordError.None;

    /// <inheritdoc/>
    public bool Equals(ImmutableRecord? other) =>
        other is not null && Key == other.Key && ValueBytes.AsSpan().SequenceEqual(other.ValueBytes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ImmutableRecord);

    /// <inheritdoc/>
    public override int GetHashCode() => Key.GetHashCode();

    /// <inheritdoc/>
    public override string ToString() => $"immutable {Key.ToShortString()} ({ValueBytes.Length} bytes)";
}
