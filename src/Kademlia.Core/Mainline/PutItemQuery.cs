using Kademlia.Identity;
using Kademlia.Mainline.Internal;

namespace Kademlia.Mainline;

/// <summary>
/// BEP 44 <c>put</c>: store <paramref name="Item"/>, proven by the <paramref name="Token"/> the answerer gave
/// in <c>get</c>. A mutable put may carry <paramref name="Cas"/>, the sequence number it expects to replace.
/// </summary>
/// <param name="Id">The querying node's ID.</param>
/// <param name="Token">The write token from the answerer's <c>get</c> response.</param>
/// <param name="Item">The item; its target is implied (hash of the value, or of key and salt).</param>
/// <param name="Cas">Compare-and-swap: store only if the current sequence number is this one (mutable items only).</param>
public sealed record PutItemQuery(MainlineId Id, BencodeString Token, MainlineItem Item, long? Cas = null) : KrpcQuery(Id)
{
    /// <summary>The method name <c>"put"</c>.</summary>
    public const string MethodName = "put";

    /// <inheritdoc />
    public override string Method => MethodName;

    internal override void WriteArguments(KrpcEntries arguments)
    {
        arguments.Add(KrpcKeys.Token, Token);
        arguments.Add(KrpcKeys.Value, Item.Value);
        if (Item is MutableItem mutable)
        {
            if (Cas is { } cas)
            {
                arguments.Add(KrpcKeys.Cas, cas);
            }

            arguments.Add(KrpcKeys.Key, mutable.PublicKey.Span);
            if (mutable.Salt.Length > 0)
            {
                arguments.Add(KrpcKeys.Salt, mutable.Salt);
            }

            arguments.Add(KrpcKeys.Sequence, mutable.Sequence);
            arguments.Add(KrpcKeys.Signature, mutable.Signature);
        }
    }

    internal static KrpcDecodeError TryRead(MainlineId id, BencodeDictionary arguments, out KrpcQuery? query)
    {
        query = null;
        var error = KrpcFields.ReadString(arguments, KrpcKeys.Token, out var token);
        if (error != KrpcDecodeError.None)
        {
            return error;
        }

        if (!arguments.TryGetValue(KrpcKeys.Value, out var value))
        {
            return KrpcDecodeError.MissingField;
        }

        // Without a key the put is immutable; seq, sig, salt and cas mean nothing there and are ignored.
        if (!arguments.ContainsKey(KrpcKeys.Key))
        {
            query = new PutItemQuery(id, token!, new ImmutableItem(value));
            return KrpcDecodeError.None;
        }

        if ((error = KrpcFields.ReadMutable(arguments, value, out var item)) != KrpcDecodeError.None
            || (error = KrpcFields.ReadOptionalInteger(arguments, KrpcKeys.Cas, out var cas)) != KrpcDecodeError.None)
        {
            return error;
        }

        query = new PutItemQuery(id, token!, item!, cas);
        return KrpcDecodeError.None;
    }
}
