using System.Globalization;

namespace Kademlia.Mainline;

/// <summary>
/// Encodes a <see cref="BencodeValue"/> canonically: the one encoding <see cref="BencodeReader"/> accepts.
/// </summary>
/// <remarks>
/// Values are canonical by construction (a <see cref="BencodeDictionary"/> keeps its keys sorted and unique),
/// so writing is a walk that cannot fail except for lack of room. Writing allocates nothing.
/// </remarks>
public static class BencodeWriter
{
    /// <summary>The exact number of bytes <see cref="TryWrite"/> writes for <paramref name="value"/>.</summary>
    public static int GetByteCount(BencodeValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        switch (value)
        {
            case BencodeString s:
                return DigitCount((ulong)s.Length) + 1 + s.Length;
            case BencodeInteger i:
                return 2 + (i.Value < 0 ? 1 + DigitCount(0UL - (ulong)i.Value) : DigitCount((ulong)i.Value));
            case BencodeList l:
                {
                    var count = 2;
                    foreach (var item in l.Items)
                    {
                        count += GetByteCount(item);
                    }

                    return count;
                }

            case BencodeDictionary d:
                {
                    var count = 2;
                    foreach (var (key, item) in d.Entries)
                    {
                        count += GetByteCount(key) + GetByteCount(item);
                    }

                    return count;
                }

            default:
                throw new ArgumentException($"Unknown bencode value {value.GetType()}.", nameof(value));
        }
    }

    /// <summary>
    /// Writes <paramref name="value"/> to the front of <paramref name="destination"/>; false (and nothing
    /// counted as written) if it does not fit.
    /// </summary>
    public static bool TryWrite(Span<byte> destination, BencodeValue value, out int bytesWritten)
    {
        ArgumentNullException.ThrowIfNull(value);
        bytesWritten = 0;
        var position = 0;
        if (!Write(destination, ref position, value))
        {
            return false;
        }

        bytesWritten = position;
        return true;
    }

    /// <summary>Encodes <paramref name="value"/> into a new array.</summary>
    public static byte[] Encode(BencodeValue value)
    {
        var bytes = new byte[GetByteCount(value)];
        TryWrite(bytes, value, out _);
        return bytes;
    }

    private static bool Write(Span<byte> destination, ref int position, BencodeValue value)
    {
        switch (value)
        {
            case BencodeString s:
                return WriteString(destination, ref position, s.Span);
            case BencodeInteger i:
                return WriteByte(destination, ref position, (byte)'i')
                    && WriteNumber(destination, ref position, i.Value)
                    && WriteByte(destination, ref position, (byte)'e');
            case BencodeList l:
                if (!WriteByte(destination, ref position, (byte)'l'))
                {
                    return false;
                }

                foreach (var item in l.Items)
                {
                    if (!Write(destination, ref position, item))
                    {
                        return false;
                    }
                }

                return WriteByte(destination, ref position, (byte)'e');
            case BencodeDictionary d:
                if (!WriteByte(destination, ref position, (byte)'d'))
                {
                    return false;
                }

                foreach (var (key, item) in d.Entries)
                {
                    if (!WriteString(destination, ref position, key.Span) || !Write(destination, ref position, item))
                    {
                        return false;
                    }
                }

                return WriteByte(destination, ref position, (byte)'e');
            default:
                throw new ArgumentException($"Unknown bencode value {value.GetType()}.", nameof(value));
        }
    }

    /// <summary>Writes a byte string, <c>&lt;length&gt;:&lt;bytes&gt;</c>.</summary>
    internal static bool WriteString(Span<byte> destination, ref int position, ReadOnlySpan<byte> bytes) =>
        WriteNumber(destination, ref position, bytes.Length)
        && WriteByte(destination, ref position, (byte)':')
        && WriteRaw(destination, ref position, bytes);

    private static bool WriteNumber(Span<byte> destination, ref int position, long number)
    {
        if (!number.TryFormat(destination[position..], out var written, default, CultureInfo.InvariantCulture))
        {
            return false;
        }

        position += written;
        return true;
    }

    private static bool WriteByte(Span<byte> destination, ref int position, byte b)
    {
        if (position >= destination.Length)
        {
            return false;
        }

        destination[position++] = b;
        return true;
    }

    private static bool WriteRaw(Span<byte> destination, ref int position, ReadOnlySpan<byte> bytes)
    {
        if (!bytes.TryCopyTo(destination[position..]))
        {
            return false;
        }

        position += bytes.Length;
        return true;
    }

    private static int DigitCount(ulong value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }

        return digits;
    }
}
