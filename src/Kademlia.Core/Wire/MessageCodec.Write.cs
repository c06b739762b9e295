using Kademlia.Records;
using Kademlia.Wire.Internal;

namespace Kademlia.Wire;

public static partial class MessageCodec
{
    /// <summary>
    /// Encodes <paramref name="message"/> into <paramref name="destination"/>; false, with nothing
    /// written, when the destination is shorter than <see cref="GetByteCount(Message)"/>. Allocates nothing.
    /// </summary>
    public static bool TryWrite(Span<byte> destination, Message message, out int bytesWritten)
    {
        var size = GetByteCount(message);
        if (destination.Length < size)
        {
            bytesWritten = 0;
            return false;
        }

        var writer = new WireWriter(destination[..size]);
        writer.WriteByte((byte)message.Type);
        writer.WriteUInt64(message.RequestId);
        switch (message)
        {
            case PingRequest:
                break;
            case FindNodeRequest m:
                writer.WriteNodeId(m.Target);
                break;
            case GetRequest m:
                writer.WriteNodeId(m.Key);
                writer.WriteByte((byte)m.Kind);
                if (m.Kind == RecordKind.Mutable)
                {
                    WriteOptional(ref writer, m.MinSequence);
                }

                break;
            case PutRequest m:
                writer.WriteUInt32(m.TtlSeconds);
                writer.WriteByte((byte)m.Record.Kind);
                WriteRecord(ref writer, m.Record);
                if (m.Record.Kind == RecordKind.Mutable)
                {
                    WriteOptional(ref writer, m.ExpectedSequence);
                }

                break;
            case AddProviderRequest m:
                writer.WriteUInt32(m.TtlSeconds);
                WriteProvider(ref writer, m.Record);
                break;
            case GetProvidersRequest m:
                writer.WriteNodeId(m.Topic);
                break;
            case PongResponse m:
                ContactEncoding.WriteEndpoint(ref writer, m.ObservedEndpoint);
                break;
            case NodesResponse m:
                WriteContacts(ref writer, m.Contacts.AsSpan());
                break;
            case ValueResponse m:
                writer.WriteByte((byte)m.Record.Kind);
                WriteRecord(ref writer, m.Record);
                WriteContacts(ref writer, m.CloserContacts.AsSpan());
                break;
            case PutResultResponse m:
                writer.WriteByte((byte)m.Status);
                break;
            case ProvidersResponse m:
                writer.WriteByte((byte)m.Providers.Length);
                foreach (var provider in m.Providers)
                {
                    WriteProvider(ref writer, provider);
                }

                WriteContacts(ref writer, m.CloserContacts.AsSpan());
                break;
            case ErrorResponse m:
                writer.WriteByte((byte)m.Code);
                break;
            case ProbeRequest:
                break;
            case ProbeForwardRequest m:
                writer.WriteUInt64(m.Nonce);
                ContactEncoding.WriteContact(ref writer, m.Asker.PublicKey, m.Asker.PowNonce, m.Asker.Endpoint);
                break;
            case ProbeDialRequest m:
                writer.WriteUInt64(m.Nonce);
                break;
            case ProbeAckResponse m:
                writer.WriteByte((byte)m.Status);
                break;
            case ChannelMessage m:
                WriteChannel(ref writer, m.Channel);
                writer.WriteUInt16((ushort)m.Payload.Length);
                writer.WriteBytes(m.Payload.Span);
                break;
            case AppResponse m:
                writer.WriteUInt16((ushort)m.Payload.Length);
                writer.WriteBytes(m.Payload.Span);
                break;
            case PunchRequest m:
                writer.WriteNodeId(m.Target);
                break;
            case PunchNotifyRequest m:
                ContactEncoding.WriteContact(ref writer, m.Requester.PublicKey, m.Requester.PowNonce, m.Requester.Endpoint);
                break;
            case PunchAckResponse m:
                writer.WriteByte((byte)m.Status);
                writer.WriteByte(m.Target is null ? (byte)0 : (byte)1);
                if (m.Target is { } target)
                {
                    ContactEncoding.WriteContact(ref writer, target.PublicKey, target.PowNonce, target.Endpoint);
                }

                break;
            case RelayFrame m:
                writer.WriteNodeId(m.Peer);
                writer.WriteUInt16((ushort)m.Packet.Length);
                writer.WriteBytes(m.Packet.Span);
                break;
        }

        bytesWritten = writer.Position;
        return true;
    }

    private static void WriteOptional(ref WireWriter writer, ulong? value)
    {
        if (value is { } present)
        {
            writer.WriteByte(1);
            writer.WriteUInt64(present);
        }
        else
        {
            writer.WriteByte(0);
        }
    }

    /// <summary>A length byte, then the name's bytes: printable ASCII, one byte per character (checked by <see cref="AppChannel"/>).</summary>
    private static void WriteChannel(ref WireWriter writer, string channel)
    {
        writer.WriteByte((byte)channel.Length);
        var bytes = writer.Reserve(channel.Length);
        for (var i = 0; i < channel.Length; i++)
        {
            bytes[i] = (byte)channel[i];
        }
    }

    private static void WriteRecord(ref WireWriter writer, ValueRecord record)
    {
        if (record is MutableRecord mutable)
        {
            writer.WriteBytes(mutable.Publisher.Span);
            writer.WriteByte((byte)mutable.Salt.Length);
            writer.WriteBytes(mutable.Salt.Span);
            writer.WriteUInt64(mutable.Sequence);
        }

        writer.WriteUInt16((ushort)record.Value.Length);
        writer.WriteBytes(record.Value.Span);
        if (record is MutableRecord signed)
        {
            writer.WriteBytes(signed.Signature.Span);
        }
    }

    private static void WriteProvider(ref WireWriter writer, ProviderRecord record)
    {
        writer.WriteNodeId(record.Topic);
        var provider = record.Provider;
        ContactEncoding.WriteContact(ref writer, provider.PublicKey, provider.PowNonce, provider.Endpoint);
        writer.WriteUInt64(record.PublishedAtUnixSeconds);
        if (!record.Rendezvous.IsEmpty)
        {
            writer.WriteByte(RecordLimits.RendezvousMarker);
        }

        writer.WriteByte((byte)record.ApplicationData.Length);
        writer.WriteBytes(record.ApplicationData.Span);
        ProviderRecord.WriteRendezvous(ref writer, record.Rendezvous);
        writer.WriteBytes(record.Signature.Span);
    }

    private static void WriteContacts(ref WireWriter writer, ReadOnlySpan<WireContact> contacts)
    {
        writer.WriteByte((byte)contacts.Length);
        foreach (ref readonly var contact in contacts)
        {
            ContactEncoding.WriteContact(ref writer, contact.PublicKey, contact.PowNonce, contact.Endpoint);
        }
    }
}
