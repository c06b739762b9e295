using Kademlia.Identity;
using Kademlia.Records;

namespace Kademlia.Wire;

/// <summary>
/// GET: the record stored under <see cref="Key"/>, if any. Answered by <see cref="ValueResponse"/> when
/// the node holds an acceptable record, else by <see cref="NodesResponse"/> with closer contacts.
/// </summary>
/// <remarks>
/// For a mutable record, <see cref="MinSequence"/> asks the node to send the record only if its
/// sequence is at least that (the requester already has anything older), saving a 1 KB answer.
/// </remarks>
public sealed record GetRequest : Message
{
    /// <summary>Builds a GET.</summary>
    /// <param name="requestId">The random request ID.</param>
    /// <param name="key">The record key.</param>
    /// <param name="kind">Which kind of record the key names.</param>
    /// <param name="minSequence">For a mutable record, the least sequence worth sending; null for any.</param>
    /// <exception cref="ArgumentException">The kind is undefined, or a minimum sequence is given for an immutable record.</exception>
    public GetRequest(ulong requestId, NodeId key, RecordKind kind, ulong? minSequence = null)
        : base(requestId)
    {
        if (kind is not (RecordKind.Immutable or RecordKind.Mutable))
        {
            throw new ArgumentException($"Unknown record kind {kind}.", nameof(kind));
        }

        if (kind == RecordKind.Immutable && minSequence is not null)
        {
            throw new ArgumentException("Only a mutable record has a sequence.", nameof(minSequence));
        }

        Key = key;
        Kind = kind;
        MinSequence = minSequence;
    }

    /// <inheritdoc/>
    public override MessageType Type => MessageType.Get;

    /// <summary>The record key.</summary>
    public NodeId Key { get; }

    /// <summary>Which kind of record the key names.</summary>
    public RecordKind Kind { get; }

    /// <summary>For a mutable record, the least sequence worth sending; null for any.</summary>
    public ulong? MinSequence { get; }

    internal override void Sealed()
    {
    }
}
