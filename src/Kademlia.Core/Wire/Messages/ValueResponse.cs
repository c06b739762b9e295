using System.Collections.Immutable;
using Kademlia.Records;
using Kademlia.Wire.Internal;

namespace Kademlia.Wire;

/// <summary>
/// VALUE: the record a <see cref="GetRequest"/> asked for, plus closer contacts if they fit, so that a
/// lookup for the newest mutable record can go on. The requester must check the record with
/// <see cref="ValueRecord.VerifyFor"/> before believing it. The record carries its own salt, so the
/// requester can recompute the key without having to remember the salt it asked under.
/// </summary>
public sealed record ValueResponse : Message
{
    /// <summary>Builds a VALUE answer.</summary>
    /// <param name="requestId">The ID of the GET answered.</param>
    /// <param name="record">The record found.</param>
    /// <param name="closerContacts">Closer contacts; as many as fit in <see cref="WireLimits.MaxMessageSize"/>.</param>
    /// <exception cref="ArgumentException">The contacts do not fit one message.</exception>
    public ValueResponse(ulong requestId, ValueRecord record, ImmutableArray<WireContact> closerContacts)
        : base(requestId)
    {
        ArgumentNullException.ThrowIfNull(record);
        Record = record;
        CloserContacts = MessageChecks.CheckCount(closerContacts, WireLimits.MaxContacts, nameof(closerContacts));
        MessageChecks.CheckFits(this);
    }

    /// <inheritdoc/>
    public override MessageType Type => MessageType.Value;

    /// <summary>The record found.</summary>
    public ValueRecord Record { get; }

    /// <summary>Closer contacts that fit after the record (none when the record is large).</summary>
    public ImmutableArray<WireContact> CloserContacts { get; }

    /// <inheritdoc/>
    public bool Equals(ValueResponse? other) =>
        other is not null
        && RequestId == other.RequestId
        && Record.Equals(other.Record)
        && MessageChecks.SequenceEqual(CloserContacts, other.CloserContacts);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(RequestId, Record);

    internal override void Sealed()
    {
    }
}
