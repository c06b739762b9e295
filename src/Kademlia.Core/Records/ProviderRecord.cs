using System.Collections.Immutable;
using Kademlia.Identity;
using Kademlia.Routing;
using Kademlia.Wire;
using Kademlia.Wire.Internal;

namespace Kademlia.Records;

/// <summary>
/// A signed statement "this node provides <see cref="Topic"/>, reachable here, as of this time":
/// many providers announce under one topic key (open game tables under a game's key, say), and a
/// PROVIDERS answer returns several of them.
/// </summary>
/// <remarks>
/// <para>The provider signs with its own node key exactly these bytes (see <c>docs/PROTOCOL.md</c>):</para>
/// <code>
/// "kademlia-provider-record-v1" (27 ASCII bytes)
/// topic (32)
/// provider contact: key (32) ‖ PoW nonce (8, big-endian) ‖ family (1) ‖ address (4 or 16) ‖ port (2, big-endian)
/// published at (8, big-endian Unix seconds)
/// application data length (1) ‖ application data
/// </code>
/// <para>A provider behind a NAT adds up to <see cref="RecordLimits.MaxRendezvous"/> rendezvous contacts: public
/// nodes it keeps sessions with, through which a joiner asks for a hole punch or a relay (docs/PROTOCOL.md,
/// "Rendezvous, hole punching and relays"). Such a record is format v2: it signs
/// <c>"kademlia-provider-record-v2"</c> and, after the application data, the rendezvous count (1) and
/// contacts. A record without rendezvous contacts is v1, byte for byte as before.</para>
/// <para>
/// Because the endpoint is signed, nobody but the provider can point a topic at another address (a
/// reflection attack on a victim). A provider behind NAT learns the endpoint to sign from PONG.
/// Freshness of <see cref="PublishedAtUnixSeconds"/> needs a clock, so the store checks it, not this type.
/// </para>
/// </remarks>
public sealed class ProviderRecord : IEquatable<ProviderRecord>
{
    private static ReadOnlySpan<byte> Domain => "kademlia-provider-record-v1"u8;

    private static ReadOnlySpan<byte> DomainV2 => "kademlia-provider-record-v2"u8;

    private readonly byte[] _applicationData;
    private readonly byte[] _signature;

    private ProviderRecord(NodeId topic, NodeInfo provider, ulong publishedAt, byte[] applicationData, byte[] signature, ImmutableArray<WireContact> rendezvous)
    {
        Topic = topic;
        Provider = provider;
        PublishedAtUnixSeconds = publishedAt;
        _applicationData = applicationData;
        _signature = signature;
        Rendezvous = rendezvous.IsDefault ? [] : rendezvous;
    }

    /// <summary>
    /// A record from its parts as received or stored (a copy of each). The signature is not checked
    /// here; call <see cref="Verify"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The application data is too long or the signature is not 64 bytes.</exception>
    /// <exception cref="ArgumentException">There are more than <see cref="RecordLimits.MaxRendezvous"/> rendezvous contacts.</exception>
    public ProviderRecord(NodeId topic, NodeInfo provider, ulong publishedAtUnixSeconds, ReadOnlySpan<byte> applicationData, ReadOnlySpan<byte> signature, ImmutableArray<WireContact> rendezvous = default)
        : this(topic, provider, publishedAtUnixSeconds, CheckApplicationData(applicationData).ToArray(), CheckSignature(signature).ToArray(), CheckRendezvous(rendezvous))
    {
    }

    /// <summary>The topic key the provider announces under.</summary>
    public NodeId Topic { get; }

    /// <summary>The providing node: its key, PoW nonce and the endpoint it signed.</summary>
    public NodeInfo Provider { get; }

    /// <summary>When the provider signed the record, in seconds since the Unix epoch.</summary>
    public ulong PublishedAtUnixSeconds { get; }

    /// <summary>Up to <see cref="RecordLimits.MaxApplicationDataSize"/> bytes the application attaches.</summary>
    public ReadOnlyMemory<byte> ApplicationData => _applicationData;

    /// <summary>
    /// Public nodes the provider keeps sessions with, through which it can be asked to punch a hole or be
    /// relayed to: empty for a provider that is reachable (format v1), up to <see cref="RecordLimits.MaxRendezvous"/>.
    /// </summary>
    public ImmutableArray<WireContact> Rendezvous { get; }

    /// <summary>The 64-byte Ed25519 signature by the provider's key.</summary>
    public ReadOnlyMemory<byte> Signature => _signature;

    /// <summary>Signs a record announcing that <paramref name="provider"/>, at <paramref name="endpoint"/>, provides <paramref name="topic"/>.</summary>
    /// <exception cref="ArgumentException">The application data is longer than <see cref="RecordLimits.MaxApplicationDataSize"/>.</exception>
    public static ProviderRecord Create(
        NodeIdentity provider,
        NodeId topic,
        NodeEndpoint endpoint,
        ulong publishedAtUnixSeconds,
        ReadOnlySpan<byte> applicationData) => Create(provider, topic, endpoint, publishedAtUnixSeconds, applicationData, []);

    /// <summary>
    /// Signs a record announcing that <paramref name="provider"/>, at <paramref name="endpoint"/>, provides
    /// <paramref name="topic"/> and can be reached through the <paramref name="rendezvous"/> nodes (v2 when any).
    /// </summary>
    /// <exception cref="ArgumentException">The application data is too long or there are too many rendezvous contacts.</exception>
    public static ProviderRecord Create(
        NodeIdentity provider,
        NodeId topic,
        NodeEndpoint endpoint,
        ulong publishedAtUnixSeconds,
        ReadOnlySpan<byte> applicationData,
        ImmutableArray<WireContact> rendezvous)
    {
        ArgumentNullException.ThrowIfNull(provider);
        CheckApplicationData(applicationData);
        rendezvous = CheckRendezvous(rendezvous);
        var info = NodeInfo.Of(provider, endpoint);
        var signed = new byte[SignedByteCount(info.Endpoint, applicationData.Length, rendezvous)];
        WriteSignedBytes(signed, topic, info, publishedAtUnixSeconds, applicationData, rendezvous);
        var signature = new byte[RecordLimits.SignatureSize];
        provider.Sign(signed, signature);
        return new ProviderRecord(topic, info, publishedAtUnixSeconds, applicationData.ToArray(), signature, rendezvous);
    }

    /// <summary>Takes ownership of parts the decoder has already bounded.</summary>
    internal static ProviderRecord FromOwned(NodeId topic, NodeInfo provider, ulong publishedAt, byte[] applicationData, byte[] signature, ImmutableArray<WireContact> rendezvous) =>
        new(topic, provider, publishedAt, applicationData, signature, rendezvous);

    /// <summary>The bytes the provider signs, as laid out in the type's remarks.</summary>
    public byte[] GetSignedBytes()
    {
        var signed = new byte[SignedByteCount(Provider.Endpoint, _applicationData.Length, Rendezvous)];
        WriteSignedBytes(signed, Topic, Provider, PublishedAtUnixSeconds, _applicationData, Rendezvous);
        return signed;
    }

    /// <summary>Checks the signature. Never throws, whatever the bytes.</summary>
    public RecordError Verify()
    {
        Span<byte> signed = stackalloc byte[SignedByteCount(Provider.Endpoint, _applicationData.Length, Rendezvous)];
        WriteSignedBytes(signed, Topic, Provider, PublishedAtUnixSeconds, _applicationData, Rendezvous);
        return Provider.PublicKey.Verify(signed, _signature) ? RecordError.None : RecordError.InvalidSignature;
    }

    /// <summary>Checks that the record announces <paramref name="topic"/>, then <see cref="Verify"/>s it.</summary>
    public RecordError VerifyFor(NodeId topic) => topic != Topic ? RecordError.KeyMismatch : Verify();

    /// <summary>The bytes the rendezvous list takes after the application data: none for v1, else count (1) and contacts.</summary>
    internal static int RendezvousSize(ImmutableArray<WireContact> rendezvous)
    {
        if (rendezvous.IsDefaultOrEmpty)
        {
            return 0;
        }

        var size = 1;
        foreach (var contact in rendezvous)
        {
            size += contact.EncodedSize;
        }

        return size;
    }

    private static int SignedByteCount(NodeEndpoint endpoint, int applicationDataLength, ImmutableArray<WireContact> rendezvous) =>
        Domain.Length + NodeId.Size + ContactEncoding.ContactSize(endpoint) + sizeof(ulong) + 1 + applicationDataLength + RendezvousSize(rendezvous);

    private static void WriteSignedBytes(Span<byte> destination, NodeId topic, NodeInfo provider, ulong publishedAt, ReadOnlySpan<byte> applicationData, ImmutableArray<WireContact> rendezvous)
    {
        var writer = new WireWriter(destination);
        writer.WriteBytes(rendezvous.IsDefaultOrEmpty ? Domain : DomainV2);
        writer.WriteNodeId(topic);
        ContactEncoding.WriteContact(ref writer, provider.PublicKey, provider.PowNonce, provider.Endpoint);
        writer.WriteUInt64(publishedAt);
        writer.WriteByte((byte)applicationData.Length);
        writer.WriteBytes(applicationData);
        WriteRendezvous(ref writer, rendezvous);
    }

    /// <summary>Writes the rendezvous count and contacts, or nothing for a v1 record.</summary>
    internal static void WriteRendezvous(ref WireWriter writer, ImmutableArray<WireContact> rendezvous)
    {
        if (rendezvous.IsDefaultOrEmpty)
        {
            return;
        }

        writer.WriteByte((byte)rendezvous.Length);
        foreach (var contact in rendezvous)
        {
            ContactEncoding.WriteContact(ref writer, contact.PublicKey, contact.PowNonce, contact.Endpoint);
        }
    }

    private static ImmutableArray<WireContact> CheckRendezvous(ImmutableArray<WireContact> rendezvous)
    {
        if (rendezvous.IsDefault)
        {
            return [];
        }

        if (rendezvous.Length > RecordLimits.MaxRendezvous)
        {
            throw new ArgumentException(
                $"A provider record carries at most {RecordLimits.MaxRendezvous} rendezvous contacts, not {rendezvous.Length}.", nameof(rendezvous));
        }

        foreach (var contact in rendezvous)
        {
            if (contact.Endpoint.IsUnspecified)
            {
                throw new ArgumentException("A rendezvous contact needs an endpoint.", nameof(rendezvous));
            }
        }

        return rendezvous;
    }

    private static ReadOnlySpan<byte> CheckApplicationData(ReadOnlySpan<byte> applicationData)
    {
        if (applicationData.Length > RecordLimits.MaxApplicationDataSize)
        {
            throw new ArgumentException(
                $"Application data is at most {RecordLimits.MaxApplicationDataSize} bytes, not {applicationData.Length}.", nameof(applicationData));
        }

        return applicationData;
    }

    private static ReadOnlySpan<byte> CheckSignature(ReadOnlySpan<byte> signature)
    {
        if (signature.Length != RecordLimits.SignatureSize)
        {
            throw new ArgumentException($"An Ed25519 signature is {RecordLimits.SignatureSize} bytes, not {signature.Length}.", nameof(signature));
        }

        return signature;
    }

    /// <inheritdoc/>
    public bool Equals(ProviderRecord? other) =>
        other is not null
        && Topic == other.Topic
        && Provider.PublicKey == other.Provider.PublicKey
        && Provider.PowNonce == other.Provider.PowNonce
        && Provider.Endpoint == other.Provider.Endpoint
        && PublishedAtUnixSeconds == other.PublishedAtUnixSeconds
        && _applicationData.AsSpan().SequenceEqual(other._applicationData)
        && Rendezvous.SequenceEqual(other.Rendezvous)
        && _signature.AsSpan().SequenceEqual(other._signature);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ProviderRecord);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Topic, Provider.Id, PublishedAtUnixSeconds);

    /// <inheritdoc/>
    public override string ToString() => $"provider {Provider} of {Topic.ToShortString()} at {PublishedAtUnixSeconds}";
}
