using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Wire.Internal;

namespace Kademlia.Wire;

/// <summary>
/// Encodes and decodes <see cref="Message"/>s: the plaintext of one session packet. The byte layouts
/// are specified in <c>docs/PROTOCOL.md</c>, "Messages".
/// </summary>
/// <remarks>
/// <para>
/// Every integer is big-endian; every variable-length field has a length or count prefix bounded by
/// <see cref="RecordLimits"/> and <see cref="WireLimits"/>; optional fields have a presence byte of 0 or
/// 1. Each message has exactly one encoding, and the decoder accepts nothing else (no trailing bytes,
/// no IPv4-mapped IPv6, no unknown codes), so accepted bytes always re-encode to themselves.
/// </para>
/// <para>
/// Encoding allocates nothing. Decoding never throws, whatever the bytes, and allocates only the
/// message it returns (its contact list, record bytes). It checks structure and limits, not
/// signatures: verifying a record costs an Ed25519 verification and is the receiver's next step.
/// </para>
/// </remarks>
public static partial class MessageCodec
{
    /// <summary>The exact number of bytes <see cref="TryWrite(Span{byte}, Message, out int)"/> writes for <paramref name="message"/>.</summary>
    public static int GetByteCount(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return WireLimits.HeaderSize + message switch
        {
            PingRequest => 0,
            FindNodeRequest => NodeId.Size,
            GetRequest m => NodeId.Size + 1 + (m.Kind == RecordKind.Mutable ? OptionalSize(m.MinSequence) : 0),
            PutRequest m => sizeof(uint) + 1 + GetByteCount(m.Record) + (m.Record.Kind == RecordKind.Mutable ? OptionalSize(m.ExpectedSequence) : 0),
            AddProviderRequest m => sizeof(uint) + GetByteCount(m.Record),
            GetProvidersRequest => NodeId.Size,
            PongResponse m => ContactEncoding.EndpointSize(m.ObservedEndpoint),
            NodesResponse m => ContactListSize(m.Contacts.AsSpan()),
            ValueResponse m => 1 + GetByteCount(m.Record) + ContactListSize(m.CloserContacts.AsSpan()),
            PutResultResponse => 1,
            ProvidersResponse m => ProviderListSize(m.Providers.AsSpan()) + ContactListSize(m.CloserContacts.AsSpan()),
            ErrorResponse => 1,
            ProbeRequest => 0,
            ProbeForwardRequest m => sizeof(ulong) + m.Asker.EncodedSize,
            ProbeDialRequest => sizeof(ulong),
            ProbeAckResponse => 1,
            ChannelMessage m => 1 + m.Channel.Length + sizeof(ushort) + m.Payload.Length,
            AppResponse m => sizeof(ushort) + m.Payload.Length,
            PunchRequest => NodeId.Size,
            PunchNotifyRequest m => m.Requester.EncodedSize,
            PunchAckResponse m => 1 + 1 + (m.Target is { } target ? target.EncodedSize : 0),
            RelayFrame m => NodeId.Size + sizeof(ushort) + m.Packet.Length,
            _ => throw new ArgumentException($"Unknown message {message.GetType()}.", nameof(message)),
        };
    }

    /// <summary>Encodes <paramref name="message"/> into a new array.</summary>
    public static byte[] Encode(Message message)
    {
        var bytes = new byte[GetByteCount(message)];
        TryWrite(bytes, message, out _);
        return bytes;
    }

    private static int OptionalSize(ulong? value) => value is null ? 1 : 1 + sizeof(ulong);

    /// <summary>
    /// The bytes <paramref name="record"/> takes inside a PUT or VALUE, after its kind byte: what a node
    /// packing an answer needs to know.
    /// </summary>
    public static int GetByteCount(ValueRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record is MutableRecord m
            ? NodePublicKey.Size + 1 + m.Salt.Length + sizeof(ulong) + sizeof(ushort) + m.Value.Length + RecordLimits.SignatureSize
            : sizeof(ushort) + record.Value.Length;
    }

    /// <summary>The bytes <paramref name="record"/> takes inside an ADD_PROVIDER or PROVIDERS message.</summary>
    public static int GetByteCount(ProviderRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var marker = record.Rendezvous.IsEmpty ? 0 : 1;
        return NodeId.Size + ContactEncoding.ContactSize(record.Provider.Endpoint) + sizeof(ulong) + marker + 1
            + record.ApplicationData.Length + ProviderRecord.RendezvousSize(record.Rendezvous) + RecordLimits.SignatureSize;
    }

    private static int ContactListSize(ReadOnlySpan<WireContact> contacts)
    {
        var size = 1;
        foreach (ref readonly var contact in contacts)
        {
            size += contact.EncodedSize;
        }

        return size;
    }

    private static int ProviderListSize(ReadOnlySpan<ProviderRecord> providers)
    {
        var size = 1;
        foreach (var provider in providers)
        {
            size += GetByteCount(provider);
        }

        return size;
    }
}
