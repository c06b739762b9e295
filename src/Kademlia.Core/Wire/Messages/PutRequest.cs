using Kademlia.Records;

namespace Kademlia.Wire;

/// <summary>
/// PUT: store <see cref="Record"/> for <see cref="TtlSeconds"/>. Answered by <see cref="PutResultResponse"/>.
/// </summary>
/// <remarks>
/// Unlike BEP 44 there is no write token to fetch first: the session layer has already proven the
/// sender's address (the Noise handshake and its cookie), which is all the token was for. The store
/// still validates the record, its size, the sender's quota and that it is among the k closest to the key.
/// </remarks>
public sealed record PutRequest : Message
{
    /// <summary>Builds a PUT.</summary>
    /// <param name="requestId">The random request ID.</param>
    /// <param name="record">The record to store.</param>
    /// <param name="ttlSeconds">How long the requester wants it kept; the store may keep it for less.</param>
    /// <param name="expectedSequence">
    /// For a mutable record, compare-and-swap: store only if the stored record has this sequence (a
    /// lost update is refused with <see cref="PutStatus.CasMismatch"/>). Null to skip the check.
    /// </param>
    /// <exception cref="ArgumentException">An expected sequence is given for an immutable record.</exception>
    public PutRequest(ulong requestId, ValueRecord record, uint ttlSeconds, ulong? expectedSequence = null)
        : base(requestId)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Kind == RecordKind.Immutable && expectedSequence is not null)
        {
            throw new ArgumentException("Only a mutable record has a sequence to compare.", nameof(expectedSequence));
        }

        Record = record;
        TtlSeconds = ttlSeconds;
        ExpectedSequence = expectedSequence;
    }

    /// <inheritdoc/>
    public override MessageType Type => MessageType.Put;

    /// <summary>The record to store.</summary>
    public ValueRecord Record { get; }

    /// <summary>How long the requester wants the record kept, in seconds; the store may keep it for less.</summary>
    public uint TtlSeconds { get; }

    /// <summary>For a mutable record, the sequence the stored record must have; null to skip the check.</summary>
    public ulong? ExpectedSequence { get; }

    internal override void Sealed()
    {
    }
}
