using Kademlia.Records;
using Kademlia.Wire.Internal;

namespace Kademlia.Wire;

public static partial class MessageCodec
{
    // The parts below are encoded byte for byte as inside messages (docs/PROTOCOL.md, "Records" and
    // "Contacts"), so that what a node keeps on disk is what it sends and receives: one format to
    // specify, test and keep stable, rather than a second one for storage.

    /// <summary>
    /// Encodes a value record alone: its kind byte followed by the record, exactly as in a VALUE
    /// answer. <see cref="TryReadRecord"/> reads it back.
    /// </summary>
    public static byte[] EncodeRecord(ValueRecord record)
    {
        var bytes = new byte[1 + GetByteCount(record)];
        var writer = new WireWriter(bytes);
        writer.WriteByte((byte)record.Kind);
        WriteRecord(ref writer, record);
        return bytes;
    }

    /// <summary>
    /// Decodes exactly one value record (kind byte and record) from all of <paramref name="source"/>.
    /// Never throws; the signature is not checked.
    /// </summary>
    public static DecodeError TryReadRecord(ReadOnlySpan<byte> source, out ValueRecord? record)
    {
        var reader = new WireReader(source);
        var error = ReadKindAndRecord(ref reader, out record);
        return Whole(ref reader, error, ref record);
    }

    /// <summary>Encodes a provider record alone, exactly as in an ADD_PROVIDER request.</summary>
    public static byte[] EncodeProvider(ProviderRecord record)
    {
        var bytes = new byte[GetByteCount(record)];
        var writer = new WireWriter(bytes);
        WriteProvider(ref writer, record);
        return bytes;
    }

    /// <summary>
    /// Decodes exactly one provider record from all of <paramref name="source"/>. Never throws; the
    /// signature is not checked.
    /// </summary>
    public static DecodeError TryReadProvider(ReadOnlySpan<byte> source, out ProviderRecord? record)
    {
        var reader = new WireReader(source);
        var error = ReadProvider(ref reader, out record);
        return Whole(ref reader, error, ref record);
    }

    /// <summary>
    /// Writes <paramref name="contact"/> (key, PoW nonce, endpoint: 47 or 59 bytes); false, with
    /// nothing written, when <paramref name="destination"/> is shorter than <see cref="WireContact.EncodedSize"/>.
    /// </summary>
    public static bool TryWriteContact(Span<byte> destination, WireContact contact, out int bytesWritten)
    {
        if (destination.Length < contact.EncodedSize)
        {
            bytesWritten = 0;
            return false;
        }

        var writer = new WireWriter(destination);
        ContactEncoding.WriteContact(ref writer, contact.PublicKey, contact.PowNonce, contact.Endpoint);
        bytesWritten = writer.Position;
        return true;
    }

    /// <summary>
    /// Reads one contact from the front of <paramref name="source"/>, reporting how many bytes it
    /// took, so that a caller can read a sequence of them. Never throws.
    /// </summary>
    public static DecodeError TryReadContact(ReadOnlySpan<byte> source, out WireContact contact, out int bytesRead)
    {
        var reader = new WireReader(source);
        var error = ContactEncoding.ReadContact(ref reader, out contact);
        bytesRead = error == DecodeError.None ? source.Length - reader.Remaining : 0;
        return error;
    }

    private static DecodeError Whole<T>(ref WireReader reader, DecodeError error, ref T? value)
        where T : class
    {
        if (error == DecodeError.None && reader.Remaining != 0)
        {
            error = DecodeError.TrailingBytes;
        }

        if (error != DecodeError.None)
        {
            value = null;
        }

        return error;
    }
}
