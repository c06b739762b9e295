using Kademlia.Identity;

namespace Kademlia.Mainline.Internal;

/// <summary>
/// Typed reads of KRPC dictionary entries. A missing required key is <see cref="KrpcDecodeError.MissingField"/>;
/// a present key of the wrong type or length is <see cref="KrpcDecodeError.InvalidField"/>, whether or not it is
/// required. Unknown keys are never looked at, so messages from newer extensions still parse.
/// </summary>
internal static class KrpcFields
{
    public static KrpcDecodeError ReadId(BencodeDictionary dictionary, ReadOnlySpan<byte> key, out MainlineId id)
    {
        id = default;
        if (!dictionary.TryGetValue(key, out var value))
        {
            return KrpcDecodeError.MissingField;
        }

        if (value is not BencodeString { Length: MainlineId.Size } bytes)
        {
            return KrpcDecodeError.InvalidField;
        }

        id = new MainlineId(bytes.Span);
        return KrpcDecodeError.None;
    }

    public static KrpcDecodeError ReadString(BencodeDictionary dictionary, ReadOnlySpan<byte> key, out BencodeString? text)
    {
        var error = ReadOptionalString(dictionary, key, out text);
        return error == KrpcDecodeError.None && text is null ? KrpcDecodeError.MissingField : error;
    }

    public static KrpcDecodeError ReadOptionalString(BencodeDictionary dictionary, ReadOnlySpan<byte> key, out BencodeString? text)
    {
        text = null;
        if (!dictionary.TryGetValue(key, out var value))
        {
            return KrpcDecodeError.None;
        }

        text = value as BencodeString;
        return text is null ? KrpcDecodeError.InvalidField : KrpcDecodeError.None;
    }

    public static KrpcDecodeError ReadInteger(BencodeDictionary dictionary, ReadOnlySpan<byte> key, out long integer)
    {
        var error = ReadOptionalInteger(dictionary, key, out var value);
        integer = value ?? 0;
        return error == KrpcDecodeError.None && value is null ? KrpcDecodeError.MissingField : error;
    }

    public static KrpcDecodeError ReadOptionalInteger(BencodeDictionary dictionary, ReadOnlySpan<byte> key, out long? integer)
    {
        integer = null;
        if (!dictionary.TryGetValue(key, out var value))
        {
            return KrpcDecodeError.None;
        }

        if (value is not BencodeInteger number)
        {
            return KrpcDecodeError.InvalidField;
        }

        integer = number.Value;
        return KrpcDecodeError.None;
    }

    /// <summary>BEP 32 <c>want</c>: a list of strings; <c>n4</c> and <c>n6</c> count, others are ignored as the BEP asks.</summary>
    public static KrpcDecodeError ReadWant(BencodeDictionary dictionary, out KrpcWant want)
    {
        want = KrpcWant.None;
        if (!dictionary.TryGetValue(KrpcKeys.Want, out var value))
        {
            return KrpcDecodeError.None;
        }

        if (value is not BencodeList list)
        {
            return KrpcDecodeError.InvalidField;
        }

        foreach (var item in list.Items)
        {
            if (item is not BencodeString family)
            {
                return KrpcDecodeError.InvalidField;
            }

            if (family.Span.SequenceEqual(KrpcKeys.WantNodes4))
            {
                want |= KrpcWant.Nodes4;
            }
            else if (family.Span.SequenceEqual(KrpcKeys.WantNodes6))
            {
                want |= KrpcWant.Nodes6;
            }
        }

        return KrpcDecodeError.None;
    }

    /// <summary>The mutable-item keys of a <c>put</c>: <c>k</c> (32 bytes), <c>seq</c>, <c>sig</c> (64 bytes), optional <c>salt</c>.</summary>
    public static KrpcDecodeError ReadMutable(BencodeDictionary dictionary, BencodeValue value, out MutableItem? item)
    {
        item = null;
        KrpcDecodeError error;
        if ((error = ReadPublicKey(dictionary, out var key)) != KrpcDecodeError.None
            || (error = ReadInteger(dictionary, KrpcKeys.Sequence, out var sequence)) != KrpcDecodeError.None
            || (error = ReadSignature(dictionary, out var signature)) != KrpcDecodeError.None
            || (error = ReadOptionalString(dictionary, KrpcKeys.Salt, out var salt)) != KrpcDecodeError.None)
        {
            return error;
        }

        if (key is null || signature is null)
        {
            return KrpcDecodeError.MissingField;
        }

        item = new MutableItem(key.Value, salt ?? BencodeString.Empty, sequence, value, signature.Span);
        return KrpcDecodeError.None;
    }

    public static KrpcDecodeError ReadPublicKey(BencodeDictionary dictionary, out NodePublicKey? key)
    {
        key = null;
        var error = ReadOptionalString(dictionary, KrpcKeys.Key, out var bytes);
        if (error != KrpcDecodeError.None || bytes is null)
        {
            return error;
        }

        if (bytes.Length != NodePublicKey.Size)
        {
            return KrpcDecodeError.InvalidField;
        }

        key = new NodePublicKey(bytes.Span);
        return KrpcDecodeError.None;
    }

    public static KrpcDecodeError ReadSignature(BencodeDictionary dictionary, out BencodeString? signature)
    {
        var error = ReadOptionalString(dictionary, KrpcKeys.Signature, out signature);
        return error == KrpcDecodeError.None && signature is not null && signature.Length != MutableItem.SignatureSize
            ? KrpcDecodeError.InvalidField
            : error;
    }
}
