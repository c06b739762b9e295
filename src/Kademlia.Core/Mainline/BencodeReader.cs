namespace Kademlia.Mainline;

/// <summary>
/// Decodes one canonical bencoded value from a span. Never throws: any input yields either a value or a
/// <see cref="BencodeError"/>.
/// </summary>
/// <remarks>
/// <para>
/// Only the canonical encoding is accepted: integers and string lengths without leading zeros, no
/// <c>i-0e</c>, dictionary keys in ascending raw byte order with no repeats. What this reader accepts,
/// <see cref="BencodeWriter"/> writes back byte for byte, so the hash or signature of a re-encoded value is
/// the hash or signature of the bytes received. Two parsers that disagree on non-canonical input are the
/// root of signature confusion; refusing it leaves nothing to disagree on.
/// </para>
/// <para>
/// Errors are decided in reading order, and running out of input is reported as
/// <see cref="BencodeError.Truncated"/> before any judgement needing the next byte, so every proper prefix of a
/// valid encoding reads as <see cref="BencodeError.Truncated"/>. Work and memory are linear in the input
/// length; recursion is bounded by <see cref="BencodeLimits.MaxDepth"/>.
/// </para>
/// </remarks>
public static class BencodeReader
{
    /// <summary>Decodes <paramref name="source"/> as exactly one value under <see cref="BencodeLimits.Default"/>.</summary>
    public static BencodeError TryRead(ReadOnlySpan<byte> source, out BencodeValue? value) =>
        TryRead(source, BencodeLimits.Default, out value);

    /// <summary>Decodes <paramref name="source"/> as exactly one value under <paramref name="limits"/>.</summary>
    public static BencodeError TryRead(ReadOnlySpan<byte> source, BencodeLimits limits, out BencodeValue? value)
    {
        ArgumentNullException.ThrowIfNull(limits);
        value = null;
        if (source.Length > limits.MaxInputLength)
        {
            return BencodeError.InputTooLarge;
        }

        var position = 0;
        var maxDepth = Math.Min(limits.MaxDepth, BencodeLimits.MaxSupportedDepth);
        var error = ReadValue(source, ref position, maxDepth, out var read);
        if (error != BencodeError.None)
        {
            return error;
        }

        if (position != source.Length)
        {
            return BencodeError.TrailingBytes;
        }

        value = read;
        return BencodeError.None;
    }

    private static BencodeError ReadValue(ReadOnlySpan<byte> source, ref int position, int depthLeft, out BencodeValue? value)
    {
        value = null;
        if (position >= source.Length)
        {
            return BencodeError.Truncated;
        }

        switch (source[position])
        {
            case (byte)'i':
                {
                    var error = ReadInteger(source, ref position, out var integer);
                    value = error == BencodeError.None ? new BencodeInteger(integer) : null;
                    return error;
                }

            case (byte)'l':
                return ReadList(source, ref position, depthLeft, out value);

            case (byte)'d':
                return ReadDictionary(source, ref position, depthLeft, out value);

            case >= (byte)'0' and <= (byte)'9':
                {
                    var error = ReadString(source, ref position, out var text);
                    value = text;
                    return error;
                }

            default:
                return BencodeError.UnexpectedByte;
        }
    }

    private static BencodeError ReadInteger(ReadOnlySpan<byte> source, ref int position, out long value)
    {
        value = 0;
        var at = position + 1;
        var negative = at < source.Length && source[at] == (byte)'-';
        if (negative)
        {
            at++;
        }

        var digitsStart = at;
        while (at < source.Length && IsDigit(source[at]))
        {
            at++;
        }

        if (at >= source.Length)
        {
            return BencodeError.Truncated;
        }

        var digits = source[digitsStart..at];
        if (digits.IsEmpty || source[at] != (byte)'e')
        {
            return BencodeError.InvalidInteger;
        }

        if (digits[0] == (byte)'0')
        {
            if (digits.Length > 1)
            {
                return BencodeError.LeadingZero;
            }

            if (negative)
            {
                return BencodeError.NegativeZero;
            }
        }

        // Accumulate the magnitude as an unsigned value so that long.MinValue (one past long.MaxValue) fits.
        var limit = negative ? 1UL << 63 : long.MaxValue;
        ulong magnitude = 0;
        foreach (var digit in digits)
        {
            var d = (ulong)(digit - '0');
            if (magnitude > (limit - d) / 10)
            {
                return BencodeError.IntegerOutOfRange;
            }

            magnitude = (magnitude * 10) + d;
        }

        value = negative ? (long)(0UL - magnitude) : (long)magnitude;
        position = at + 1;
        return BencodeError.None;
    }

    private static BencodeError ReadString(ReadOnlySpan<byte> source, ref int position, out BencodeString? value)
    {
        value = null;
        var at = position;
        while (at < source.Length && IsDigit(source[at]))
        {
            at++;
        }

        if (at >= source.Length)
        {
            return BencodeError.Truncated;
        }

        var digits = source[position..at];
        if (source[at] != (byte)':')
        {
            return BencodeError.InvalidStringLength;
        }

        if (digits[0] == (byte)'0' && digits.Length > 1)
        {
            return BencodeError.LeadingZero;
        }

        // The input is at most int.MaxValue bytes, so a length of more digits than that cannot fit in what remains.
        var remaining = source.Length - at - 1;
        long length = 0;
        foreach (var digit in digits)
        {
            length = (length * 10) + (digit - '0');
            if (length > remaining)
            {
                return BencodeError.Truncated;
            }
        }

        var start = at + 1;
        value = length == 0 ? BencodeString.Empty : BencodeString.Own(source.Slice(start, (int)length).ToArray());
        position = start + (int)length;
        return BencodeError.None;
    }

    private static BencodeError ReadList(ReadOnlySpan<byte> source, ref int position, int depthLeft, out BencodeValue? value)
    {
        value = null;
        if (depthLeft == 0)
        {
            return BencodeError.NestingTooDeep;
        }

        var at = position + 1;
        var items = new List<BencodeValue>();
        while (true)
        {
            if (at >= source.Length)
            {
                return BencodeError.Truncated;
            }

            if (source[at] == (byte)'e')
            {
                break;
            }

            var error = ReadValue(source, ref at, depthLeft - 1, out var item);
            if (error != BencodeError.None)
            {
                return error;
            }

            items.Add(item!);
        }

        value = items.Count == 0 ? BencodeList.Empty : BencodeList.Own([.. items]);
        position = at + 1;
        return BencodeError.None;
    }

    private static BencodeError ReadDictionary(ReadOnlySpan<byte> source, ref int position, int depthLeft, out BencodeValue? value)
    {
        value = null;
        if (depthLeft == 0)
        {
            return BencodeError.NestingTooDeep;
        }

        var at = position + 1;
        var entries = new List<KeyValuePair<BencodeString, BencodeValue>>();
        BencodeString? previous = null;
        while (true)
        {
            if (at >= source.Length)
            {
                return BencodeError.Truncated;
            }

            if (source[at] == (byte)'e')
            {
                break;
            }

            if (!IsDigit(source[at]))
            {
                return BencodeError.KeyNotString;
            }

            var error = ReadString(source, ref at, out var key);
            if (error != BencodeError.None)
            {
                return error;
            }

            if (previous is not null)
            {
                var order = previous.CompareTo(key);
                if (order == 0)
                {
                    return BencodeError.DuplicateKey;
                }

                if (order > 0)
                {
                    return BencodeError.UnsortedKeys;
                }
            }

            error = ReadValue(source, ref at, depthLeft - 1, out var item);
            if (error != BencodeError.None)
            {
                return error;
            }

            entries.Add(new(key!, item!));
            previous = key;
        }

        value = entries.Count == 0 ? BencodeDictionary.Empty : BencodeDictionary.OwnSorted([.. entries]);
        position = at + 1;
        return BencodeError.None;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;
}
