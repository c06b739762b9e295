namespace Kademlia.Records;

/// <summary>The two kinds of value records; the numbers are the wire encoding.</summary>
public enum RecordKind : byte
{
    /// <summary>An <see cref="ImmutableRecord"/>: the key is the hash of the value.</summary>
    Immutable = 1,

    /// <summary>A <see cref="MutableRecord"/>: the key is the hash of the publisher key and salt.</summary>
    Mutable = 2,
}
