using System.Collections.Immutable;
using Kademlia.Records;
using Kademlia.Wire.Internal;

namespace Kademlia.Wire;

/// <summary>
/// PROVIDERS: the answer to <see cref="GetProvidersRequest"/>: the provider records that fit and
/// closer contacts. The requester checks each record with <see cref="ProviderRecord.VerifyFor"/>.
/// </summary>
public sealed record ProvidersResponse : Message
{
    /// <summary>Builds a PROVIDERS answer.</summary>
    /// <param name="requestId">The ID of the request answered.</param>
    /// <param name="providers">At most <see cref="WireLimits.MaxProviders"/> records, as many as fit.</param>
    /// <param name="closerContacts">At most <see cref="WireLimits.MaxContacts"/> closer contacts, as many as fit.</param>
    /// <exception cref="ArgumentException">A list is too long or the whole does not fit one message.</exception>
    public ProvidersResponse(ulong requestId, ImmutableArray<ProviderRecord> providers, ImmutableArray<WireContact> closerContacts)
        : base(requestId)
    {
        Providers = MessageChecks.CheckCount(providers, WireLimits.MaxProviders, nameof(providers));
        foreach (var provider in Providers)
        {
            ArgumentNullException.ThrowIfNull(provider, nameof(providers));
        }

        CloserContacts = MessageChecks.CheckCount(closerContacts, WireLimits.MaxContacts, nameof(closerContacts));
        MessageChecks.CheckFits(this);
    }

    /// <inheritdoc/>
    public override MessageType Type => MessageType.Providers;

    /// <summary>The provider records.</summary>
    public ImmutableArray<ProviderRecord> Providers { get; }

    /// <summary>Closer contacts.</summary>
    public ImmutableArray<WireContact> CloserContacts { get; }

    /// <inheritdoc/>
    public bool Equals(ProvidersResponse? other) =>
        other is not null
        && RequestId == other.RequestId
        && MessageChecks.SequenceEqual(Providers, other.Providers)
        && MessageChecks.SequenceEqual(CloserContacts, other.CloserContacts);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(RequestId, Providers.Length, CloserContacts.Length);

    internal override void Sealed()
    {
    }
}
