using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Wire.Internal;

namespace Kademlia.Wire;

public static partial class MessageCodec
{
    /// <summary>Set in the type byte of every answer, clear in every request (see <see cref="MessageType"/>).</summary>
    private const byte AnswerBit = 0x80;

    /// <summary>
    /// Reads the type and request ID at the front of <paramref name="source"/> without decoding the
    /// rest, so that a node can answer a malformed request with an <see cref="ErrorResponse"/>.
    /// </summary>
    /// <remarks>
    /// The header of a request of a type this codec does not know (high bit clear) still reads, with
    /// <paramref name="type"/> outside the defined <see cref="MessageType"/> values: a node answers it
    /// <see cref="ErrorCode.UnsupportedRequest"/>, so that a newer peer learns at once that the request is
    /// not served here instead of retrying it. An unknown answer type is <see cref="DecodeError.UnknownMessageType"/>:
    /// nobody asked for it.
    /// </remarks>
    public static DecodeError TryReadHeader(ReadOnlySpan<byte> source, out MessageType type, out ulong requestId)
    {
        var reader = new WireReader(source);
        return ReadHeader(ref reader, out type, out requestId, unknownRequests: true);
    }

    /// <summary>
    /// Decodes exactly one message from all of <paramref name="source"/>. Never throws: hostile bytes
    /// give a <see cref="DecodeError"/> and a null <paramref name="message"/>. Signatures are not
    /// checked here (see the type's remarks).
    /// </summary>
    public static DecodeError TryRead(ReadOnlySpan<byte> source, out Message? message)
    {
        message = null;
        if (source.Length > WireLimits.MaxMessageSize)
        {
            return DecodeError.MessageTooLarge;
        }

        var reader = new WireReader(source);
        var error = ReadHeader(ref reader, out var type, out var id, unknownRequests: false);
        if (error != DecodeError.None)
        {
            return error;
        }

        error = type switch
        {
            MessageType.Ping => Done(new PingRequest(id), out message),
            MessageType.FindNode => ReadIdMessage(ref reader, id, type, out message),
            MessageType.GetProviders => ReadIdMessage(ref reader, id, type, out message),
            MessageType.Get => ReadGet(ref reader, id, out message),
            MessageType.Put => ReadPut(ref reader, id, out message),
            MessageType.AddProvider => ReadAddProvider(ref reader, id, out message),
            MessageType.Pong => ReadPong(ref reader, id, out message),
            MessageType.Nodes => ReadNodes(ref reader, id, out message),
            MessageType.Value => ReadValue(ref reader, id, out message),
            MessageType.PutResult => ReadPutResult(ref reader, id, out message),
            MessageType.Providers => ReadProviders(ref reader, id, out message),
            MessageType.Error => ReadError(ref reader, id, out message),
            MessageType.Probe => Done(new ProbeRequest(id), out message),
            MessageType.ProbeForward => ReadProbeForward(ref reader, id, out message),
            MessageType.ProbeDial => ReadProbeDial(ref reader, id, out message),
            MessageType.ProbeAck => ReadProbeAck(ref reader, id, out message),
            MessageType.AppRequest or MessageType.AppDatagram => ReadChannelMessage(ref reader, id, type, out message),
            MessageType.AppResponse => ReadAppResponse(ref reader, id, out message),
            MessageType.PunchRequest => ReadPunchRequest(ref reader, id, out message),
            MessageType.PunchNotify => ReadPunchNotify(ref reader, id, out message),
            MessageType.PunchAck => ReadPunchAck(ref reader, id, out message),
            MessageType.RelaySend or MessageType.RelayDeliver => ReadRelay(ref reader, id, type, out message),
            _ => DecodeError.UnknownMessageType,
        };

        if (error == DecodeError.None && reader.Remaining != 0)
        {
            error = DecodeError.TrailingBytes;
        }

        if (error != DecodeError.None)
        {
            message = null;
        }

        return error;
    }

    private static DecodeError ReadHeader(ref WireReader reader, out MessageType type, out ulong requestId, bool unknownRequests)
    {
        requestId = 0;
        type = default;
        if (!reader.TryReadByte(out var typeByte))
        {
            return DecodeError.Truncated;
        }

        type = (MessageType)typeByte;
        if (!Enum.IsDefined(type) && !(unknownRequests && (typeByte & AnswerBit) == 0))
        {
            return DecodeError.UnknownMessageType;
        }

        return reader.TryReadUInt64(out requestId) ? DecodeError.None : DecodeError.Truncated;
    }

    private static DecodeError Done(Message built, out Message? message)
    {
        message = built;
        return DecodeError.None;
    }

    private static DecodeError ReadIdMessage(ref WireReader reader, ulong id, MessageType type, out Message? message)
    {
        message = null;
        if (!reader.TryReadNodeId(out var key))
        {
            return DecodeError.Truncated;
        }

        message = type == MessageType.FindNode ? new FindNodeRequest(id, key) : new GetProvidersRequest(id, key);
        return DecodeError.None;
    }

    private static DecodeError ReadGet(ref WireReader reader, ulong id, out Message? message)
    {
        message = null;
        if (!reader.TryReadNodeId(out var key))
        {
            return DecodeError.Truncated;
        }

        var error = ReadRecordKind(ref reader, out var kind);
        ulong? minSequence = null;
        if (error == DecodeError.None && kind == RecordKind.Mutable)
        {
            error = ReadOptional(ref reader, out minSequence);
        }

        if (error == DecodeError.None)
        {
            message = new GetRequest(id, key, kind, minSequence);
        }

        return error;
    }

    private static DecodeError ReadPut(ref WireReader reader, ulong id, out Message? message)
    {
        message = null;
        if (!reader.TryReadUInt32(out var ttl))
        {
            return DecodeError.Truncated;
        }

        var error = ReadKindAndRecord(ref reader, out var record);
        ulong? expected = null;
        if (error == DecodeError.None && record!.Kind == RecordKind.Mutable)
        {
            error = ReadOptional(ref reader, out expected);
        }

        if (error == DecodeError.None)
        {
            message = new PutRequest(id, record!, ttl, expected);
        }

        return error;
    }

    private static DecodeError ReadAddProvider(ref WireReader reader, ulong id, out Message? message)
    {
        message = null;
        if (!reader.TryReadUInt32(out var ttl))
        {
            return DecodeError.Truncated;
        }

        var error = ReadProvider(ref reader, out var record);
        if (error == DecodeError.None)
        {
            message = new AddProviderRequest(id, record!, ttl);
        }

        return error;
    }

    private static DecodeError ReadPong(ref WireReader reader, ulong id, out Message? message)
    {
        message = null;
        var error = ContactEncoding.ReadEndpoint(ref reader, out var endpoint);
        if (error == DecodeError.None)
        {
            message = new PongResponse(id, endpoint);
        }

        return error;
    }

    private static DecodeError ReadNodes(ref WireReader reader, ulong id, out Message? message)
    {
        message = null;
        var error = ReadContacts(ref reader, out var contacts);
        if (error == DecodeError.None)
        {
            message = new NodesResponse(id, contacts);
        }

        return error;
    }

    private static DecodeError ReadValue(ref WireReader reader, ulong id, out Message? message)
    {
        message = null;
        var error = ReadKindAndRecord(ref reader, out var record);
        if (error != DecodeError.None)
        {
            return error;
        }

        error = ReadContacts(ref reader, out var contacts);
        if (error == DecodeError.None)
        {
            // The input is at most MaxMessageSize bytes, so the message fits and the constructor's own
            // size check cannot fail.
            message = new ValueResponse(id, record!, contacts);
        }

        return error;
    }

    private static DecodeError ReadPutResult(ref WireReader reader, ulong id, out Message? message)
    {
        message = null;
        if (!reader.TryReadByte(out var code))
        {
            return DecodeError.Truncated;
        }

        var status = (PutStatus)code;
        if (!Enum.IsDefined(status))
        {
            return DecodeError.InvalidCode;
        }

        message = new PutResultResponse(id, status);
        return DecodeError.None;
    }

    private static DecodeError ReadProviders(ref WireReader reader, ulong id, out Message? message)
    {
        message = null;
        if (!reader.TryReadByte(out var count))
        {
            return DecodeError.Truncated;
        }

        if (count > WireLimits.MaxProviders)
        {
            return DecodeError.CountTooLarge;
        }

        var providers = new ProviderRecord[count];
        for (var i = 0; i < providers.Length; i++)
        {
            var providerError = ReadProvider(ref reader, out var provider);
            if (providerError != DecodeError.None)
            {
                return providerError;
            }

            providers[i] = provider!;
        }

        var error = ReadContacts(ref reader, out var contacts);
        if (error == DecodeError.None)
        {
            message = new ProvidersResponse(id, ImmutableCollectionsMarshal.AsImmutableArray(providers), contacts);
        }

        return error;
    }

    private static DecodeError ReadError(ref WireReader reader, ulong id, out Message? message)
    {
        message = null;
        if (!reader.TryReadByte(out var code))
        {
            return DecodeError.Truncated;
        }

        var errorCode = (ErrorCode)code;
        if (!Enum.IsDefined(errorCode))
        {
            return DecodeError.InvalidCode;
        }

        message = new ErrorResponse(id, errorCode);
        return DecodeError.None;
    }

    private static DecodeError ReadOptional(ref WireReader reader, out ulong? value)
    {
        value = null;
        if (!reader.TryReadByte(out var present))
        {
            return DecodeError.Truncated;
        }

        switch (present)
        {
            case 0:
                return DecodeError.None;
            case 1:
                if (!reader.TryReadUInt64(out var read))
                {
                    return DecodeError.Truncated;
                }

                value = read;
                return DecodeError.None;
            default:
                return DecodeError.InvalidFlag;
        }
    }

    private static DecodeError ReadRecordKind(ref WireReader reader, out RecordKind kind)
    {
        kind = default;
        if (!reader.TryReadByte(out var kindByte))
        {
            return DecodeError.Truncated;
        }

        kind = (RecordKind)kindByte;
        return kind is RecordKind.Immutable or RecordKind.Mutable ? DecodeError.None : DecodeError.InvalidRecordKind;
    }

    private static DecodeError ReadKindAndRecord(ref WireReader reader, out ValueRecord? record)
    {
        record = null;
        var error = ReadRecordKind(ref reader, out var kind);
        if (error != DecodeError.None)
        {
            return error;
        }

        NodePublicKey publisher = default;
        byte[] salt = [];
        ulong sequence = 0;
        if (kind == RecordKind.Mutable)
        {
            if (!reader.TryReadBytes(NodePublicKey.Size, out var key))
            {
                return DecodeError.Truncated;
            }

            publisher = new NodePublicKey(key);
            error = ReadShortBytes(ref reader, RecordLimits.MaxSaltSize, out salt);
            if (error != DecodeError.None)
            {
                return error;
            }

            if (!reader.TryReadUInt64(out sequence))
            {
                return DecodeError.Truncated;
            }
        }

        if (!reader.TryReadUInt16(out var valueLength))
        {
            return DecodeError.Truncated;
        }

        if (valueLength > RecordLimits.MaxValueSize)
        {
            return DecodeError.FieldTooLong;
        }

        if (!reader.TryReadBytes(valueLength, out var value))
        {
            return DecodeError.Truncated;
        }

        if (kind == RecordKind.Immutable)
        {
            record = ImmutableRecord.FromOwned(value.ToArray());
            return DecodeError.None;
        }

        if (!reader.TryReadBytes(RecordLimits.SignatureSize, out var signature))
        {
            return DecodeError.Truncated;
        }

        record = MutableRecord.FromOwned(publisher, salt, sequence, value.ToArray(), signature.ToArray());
        return DecodeError.None;
    }

    private static DecodeError ReadProvider(ref WireReader reader, out ProviderRecord? record)
    {
        record = null;
        if (!reader.TryReadNodeId(out var topic))
        {
            return DecodeError.Truncated;
        }

        var error = ContactEncoding.ReadContact(ref reader, out var contact);
        if (error != DecodeError.None)
        {
            return error;
        }

        if (!reader.TryReadUInt64(out var publishedAt))
        {
            return DecodeError.Truncated;
        }

        // A v2 record (with rendezvous contacts) puts a marker where v1 has the application data length.
        var v2 = reader.Remaining > 0 && reader.PeekByte() == RecordLimits.RendezvousMarker;
        if (v2)
        {
            reader.TryReadByte(out _);
        }

        error = ReadShortBytes(ref reader, RecordLimits.MaxApplicationDataSize, out var applicationData);
        if (error != DecodeError.None)
        {
            return error;
        }

        var rendezvous = ImmutableArray<WireContact>.Empty;
        if (v2)
        {
            if (!reader.TryReadByte(out var count))
            {
                return DecodeError.Truncated;
            }

            if (count is 0 or > RecordLimits.MaxRendezvous)
            {
                return DecodeError.CountTooLarge;
            }

            var contacts = new WireContact[count];
            for (var i = 0; i < contacts.Length; i++)
            {
                error = ContactEncoding.ReadContact(ref reader, out contacts[i]);
                if (error != DecodeError.None)
                {
                    return error;
                }

                if (contacts[i].Endpoint.IsUnspecified)
                {
                    return DecodeError.NonCanonicalAddress;
                }
            }

            rendezvous = ImmutableCollectionsMarshal.AsImmutableArray(contacts);
        }

        if (!reader.TryReadBytes(RecordLimits.SignatureSize, out var signature))
        {
            return DecodeError.Truncated;
        }

        record = ProviderRecord.FromOwned(topic, contact.ToNodeInfo(), publishedAt, applicationData, signature.ToArray(), rendezvous);
        return DecodeError.None;
    }

    /// <summary>A one-byte length, checked against <paramref name="max"/>, then that many bytes.</summary>
    private static DecodeError ReadShortBytes(ref WireReader reader, int max, out byte[] bytes)
    {
        bytes = [];
        if (!reader.TryReadByte(out var length))
        {
            return DecodeError.Truncated;
        }

        if (length > max)
        {
            return DecodeError.FieldTooLong;
        }

        if (!reader.TryReadBytes(length, out var read))
        {
            return DecodeError.Truncated;
        }

        bytes = read.ToArray();
        return DecodeError.None;
    }

    private static DecodeError ReadContacts(ref WireReader reader, out ImmutableArray<WireContact> contacts)
    {
        contacts = [];
        if (!reader.TryReadByte(out var count))
        {
            return DecodeError.Truncated;
        }

        if (count > WireLimits.MaxContacts)
        {
            return DecodeError.CountTooLarge;
        }

        if (count == 0)
        {
            return DecodeError.None;
        }

        // Refuse a count the remaining bytes cannot hold before allocating for it.
        if (reader.Remaining < count * WireContact.IPv4Size)
        {
            return DecodeError.Truncated;
        }

        var array = new WireContact[count];
        for (var i = 0; i < array.Length; i++)
        {
            var error = ContactEncoding.ReadContact(ref reader, out array[i]);
            if (error != DecodeError.None)
            {
                return error;
            }
        }

        contacts = ImmutableCollectionsMarshal.AsImmutableArray(array);
        return DecodeError.None;
    }

    private static DecodeError ReadProbeForward(ref WireReader reader, ulong id, out Message? message)
    {
        message = null;
        if (!reader.TryReadUInt64(out var nonce))
        {
            return DecodeError.Truncated;
        }

        var error = ContactEncoding.ReadContact(ref reader, out var asker);
        if (error != DecodeError.None)
        {
            return error;
        }

        message = new ProbeForwardRequest(id, nonce, asker);
        return DecodeError.None;
    }

    private static DecodeError ReadProbeDial(ref WireReader reader, ulong id, out Message? message)
    {
        message = null;
        if (!reader.TryReadUInt64(out var nonce))
        {
            return DecodeError.Truncated;
        }

        message = new ProbeDialRequest(id, nonce);
        return DecodeError.None;
    }

    private static DecodeError ReadProbeAck(ref WireReader reader, ulong id, out Message? message)
    {
        message = null;
        if (!reader.TryReadByte(out var code))
        {
            return DecodeError.Truncated;
        }

        var status = (ProbeStatus)code;
        if (!Enum.IsDefined(status))
        {
            return DecodeError.InvalidCode;
        }

        message = new ProbeAckResponse(id, status);
        return DecodeError.None;
    }

    private static DecodeError ReadChannelMessage(ref WireReader reader, ulong id, MessageType type, out Message? message)
    {
        message = null;
        if (!reader.TryReadByte(out var length))
        {
            return DecodeError.Truncated;
        }

        if (length is 0 or > AppChannel.MaxLength)
        {
            return DecodeError.InvalidChannel;
        }

        if (!reader.TryReadBytes(length, out var name))
        {
            return DecodeError.Truncated;
        }

        foreach (var b in name)
        {
            if (b is < 0x21 or > 0x7E)
            {
                return DecodeError.InvalidChannel;
            }
        }

        var channel = System.Text.Encoding.ASCII.GetString(name);
        var error = ReadAppPayload(ref reader, out var payload);
        if (error == DecodeError.None)
        {
            message = type == MessageType.AppRequest
                ? AppRequest.FromOwned(id, channel, payload)
                : AppDatagram.FromOwned(id, channel, payload);
        }

        return error;
    }

    private static DecodeError ReadAppResponse(ref WireReader reader, ulong id, out Message? message)
    {
        message = null;
        var error = ReadAppPayload(ref reader, out var payload);
        if (error == DecodeError.None)
        {
            message = AppResponse.FromOwned(id, payload);
        }

        return error;
    }

    /// <summary>A two-byte length, checked against <see cref="WireLimits.MaxAppPayload"/>, then that many bytes.</summary>
    private static DecodeError ReadAppPayload(ref WireReader reader, out byte[] payload)
    {
        payload = [];
        if (!reader.TryReadUInt16(out var length))
        {
            return DecodeError.Truncated;
        }

        if (length > WireLimits.MaxAppPayload)
        {
            return DecodeError.FieldTooLong;
        }

        if (!reader.TryReadBytes(length, out var bytes))
        {
            return DecodeError.Truncated;
        }

        payload = bytes.ToArray();
        return DecodeError.None;
    }

    private static DecodeError ReadPunchRequest(ref WireReader reader, ulong id, out Message? message)
    {
        message = null;
        if (!reader.TryReadNodeId(out var target))
        {
            return DecodeError.Truncated;
        }

        message = new PunchRequest(id, target);
        return DecodeError.None;
    }

    private static DecodeError ReadPunchNotify(ref WireReader reader, ulong id, out Message? message)
    {
        message = null;
        var error = ContactEncoding.ReadContact(ref reader, out var requester);
        if (error == DecodeError.None)
        {
            message = new PunchNotifyRequest(id, requester);
        }

        return error;
    }

    private static DecodeError ReadPunchAck(ref WireReader reader, ulong id, out Message? message)
    {
        message = null;
        if (!reader.TryReadByte(out var code) || !reader.TryReadByte(out var present))
        {
            return DecodeError.Truncated;
        }

        var status = (PunchStatus)code;
        if (!Enum.IsDefined(status))
        {
            return DecodeError.InvalidCode;
        }

        if (present > 1)
        {
            return DecodeError.InvalidFlag;
        }

        WireContact? target = null;
        if (present == 1)
        {
            var error = ContactEncoding.ReadContact(ref reader, out var contact);
            if (error != DecodeError.None)
            {
                return error;
            }

            target = contact;
        }

        message = new PunchAckResponse(id, status, target);
        return DecodeError.None;
    }

    private static DecodeError ReadRelay(ref WireReader reader, ulong id, MessageType type, out Message? message)
    {
        message = null;
        if (!reader.TryReadNodeId(out var peer) || !reader.TryReadUInt16(out var length))
        {
            return DecodeError.Truncated;
        }

        if (length > WireLimits.MaxRelayedPacket)
        {
            return DecodeError.FieldTooLong;
        }

        if (!reader.TryReadBytes(length, out var packet))
        {
            return DecodeError.Truncated;
        }

        message = RelayFrame.FromOwned(id, peer, packet.ToArray(), type == MessageType.RelayDeliver);
        return DecodeError.None;
    }
}
