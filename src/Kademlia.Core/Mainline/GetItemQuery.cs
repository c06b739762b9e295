using Kademlia.Mainline.Internal;

namespace Kademlia.Mainline;

/// <summary>
/// BEP 44 <c>get</c>: asks for the item stored under <paramref name="Target"/> (immutable and mutable look
/// alike), or the nodes closest to it, and a write token for a later <c>put</c>.
/// </summary>
/// <param name="Id">The querying node's ID.</param>
/// <param name="Target">The item's target.</param>
/// <param name="Sequence">
/// For mutable items: send the value only if its sequence number is greater than this (<c>seq</c>); null
/// asks for it whatever its sequence number.
/// </param>
public sealed record GetItemQuery(MainlineId Id, MainlineId Target, long? Sequence = null) : KrpcQuery(Id)
{
    /// <summary>The method name <c>"get"</c>.</summary>
    public const string MethodName = "get";

    /// <inheritdoc />
    public override string Method => MethodName;

    internal override void WriteArguments(KrpcEntries arguments)
    {
        if (Sequence is { } sequence)
        {
            arguments.Add(KrpcKeys.Sequence, sequence);
        }

        arguments.Add(KrpcKeys.Target, Target);
    }

    internal static KrpcDecodeError TryRead(MainlineId id, BencodeDictionary arguments, out KrpcQuery? query)
    {
        query = null;
        KrpcDecodeError error;
        if ((error = KrpcFields.ReadId(arguments, KrpcKeys.Target, out var target)) != KrpcDecodeError.None
            || (error = KrpcFields.ReadOptionalInteger(arguments, KrpcKeys.Sequence, out var sequence)) != KrpcDecodeError.None)
        {
            return error;
        }

        query = new GetItemQuery(id, target, sequence);
        return KrpcDecodeError.None;
    }
}
