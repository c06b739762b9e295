using Kademlia.Identity;
using Kademlia.Routing;
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
/// <para>
/// Because the endpoint is signed, nobody but the provider can point a topic at another address (a
/// reflection attack on a victim). A provider behind NAT learns the endpoint to sign from PONG.
/// Freshness of <see cref="PublishedAtUnixSeconds"/> needs a clock, so the store checks it, not this type.
/// </para>
/// </remarks>
public sealed class ProviderRecord : IEquatable<ProviderRecord>
{
    private static ReadOnlySpan<byte> Domain => "kademlia-provider-record-v1"u8;

    private readonly byte[] _applicationData;
    private readonly byte[] _signature;

    private ProviderRecord(NodeId topic, NodeInfo provider, ulong publishedAt, byte[] applicationData, byte[] signature)
    {
        Topic = topic;
        Provider = provider;
        PublishedAtUnixSeconds = publishedAt;
        _applicationData = applicationData;
        _signature = signature;
    }

    /// <summary>
    /// A record from its parts as received or stored (a copy of each). The signature is not checked
    /// here; call <see cref="Verify"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The application data is too long or the signature is not 64 bytes.</exception>
    public ProviderRecord(NodeId topic, NodeInfo provider, ulong publishedAtUnixSeconds, ReadOnlySpan<byte> applicationData, ReadOnlySpan<byte> signature)
        : this(topic, provider, publishedAtUnixSeconds, CheckApplicationData(applicationData).ToArray(), CheckSignature(signature).ToArray())
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

    /// <summary>The 64-byte Ed25519 signature by the provider's key.</summary>
    public ReadOnlyMemory<byte> Signature => _signature;

    /// <summary>Signs a record announcing that <paramref name="provider"/>, at <paramref name="endpoint"/>, provides <paramref name="topic"/>.</summary>
    /// <exception cref="ArgumentException">The application data is longer than <see cref="RecordLimits.MaxApplicationDataSize"/>.</exception>
    public static ProviderRecord Create(
        NodeIdentity provider,
        NodeId topic,
        NodeEndpoint endpoint,
        ulong publishedAtUnixSeconds,
        ReadOnlySpan<byte> applicationData)
    {
        ArgumentNullException.ThrowIfNull(provider);
        CheckApplicationData(applicationData);
        var info = NodeInfo.Of(provider, endpoint);
        Span<byte> signed = stackalloc byte[SignedByteCount(info.Endpoint, applicationData.Length)];
        WriteSignedBytes(signed, topic, info, publishedAtUnixSeconds, applicationData);
        var signature = new byte[RecordLimits.SignatureSize];
        provider.Sign(signed, signature);
        return new ProviderRecord(topic, info, publishedAtUnixSeconds, applicationData.ToArray(), signature);
    }

    /// <summary>Takes ownership of parts the decoder has already bounded.</summary>
    internal static ProviderRecord FromOwned(NodeId topic, NodeInfo provider, ulong publishedAt, byte[] applicationData, byte[] signature) =>
        new(topic, provider, publishedAt, applicationData, signature);

    /// <summary>The bytes the provider signs, as laid out in the type's remarks.</summary>
    public byte[] GetSignedBytes()
    {
        var signed = new byte[SignedByteCount(Provider.Endpoint, _applicationData.Length)];
        WriteSignedBytes(signed, Topic, Provider, PublishedAtUnixSeconds, _applicationData);
        return signed;
    }

    /// <summary>Checks the signature. Never throws, whatever the bytes.</summary>
    public RecordError Verify()
    {
        Span<byte> signed = stackalloc byte[SignedByteCount(Provider.Endpoint, _applicationData.Length)];
        WriteSignedBytes(signed, Topic, Provider, PublishedAtUnixSeconds, _applicationData);
        return Provider.PublicKey.Verify(signed, _signature) ? RecordError.None : RecordError.InvalidSignature;
    }

    /// <summary>Checks that the record announces <paramref name="topic"/>, then <see cref="Verify"/>s it.</summary>
    public RecordError VerifyFor(NodeId topic) => topic != Topic ? RecordError.KeyMismatch : Verify();

    private static int SignedByteCount(NodeEndpoint endpoint, int applicationDataLength) =>
        Domain.Length + NodeId.Size + ContactEncoding.ContactSize(endpoint) + sizeof(ulong) + 1 + applicationDataLength;

    private static void WriteSignedBytes(Span<byte> destination, NodeId topic, NodeInfo provider, ulong publishedAt, ReadOnlySpan<byte> applicationData)
    {
        var writer = new WireWriter(destination);
        writer.WriteBytes(Domain);
        writer.WriteNodeId(topic);
        ContactEncoding.WriteContact(ref writer, provider.PublicKey, provider.PowNonce, provider.Endpoint);
        writer.WriteUInt64(publishedAt);
        writer.WriteByte((byte)applicationData.Length);
        writer.WriteBytes(applicationData);
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
        && _signature.AsSpan().SequenceEqual(other._signature);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ProviderRecord);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Topic, Provider.Id, PublishedAtUnixSeconds);

    /// <inheritdoc/>
    public override string ToString() => $"provider {Provider} of {Topic.ToShortString()} at {PublishedAtUnixSeconds}";
}
