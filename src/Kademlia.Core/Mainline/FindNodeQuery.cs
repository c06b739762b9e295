using Kademlia.Mainline.Internal;

namespace Kademlia.Mainline;

/// <summary>BEP 5 <c>find_node</c>: asks for the K (8) nodes closest to <paramref name="Target"/>.</summary>
/// <param name="Id">The querying node's ID.</param>
/// <param name="Target">The ID sought.</param>
/// <param name="Want">The address families wanted in the answer (BEP 32).</param>
public sealed record FindNodeQuery(MainlineId Id, MainlineId Target, KrpcWant Want = KrpcWant.None) : KrpcQuery(Id)
{
    /// <summary>The method name <c>"find_node"</c>.</summary>
    public const string MethodName = "find_node";

    /// <inheritdoc />
    public override string Method => MethodName;

    internal override void WriteArguments(KrpcEntries arguments)
    {
        arguments.Add(KrpcKeys.Target, Target);
        arguments.AddWant(Want);
    }

    internal static KrpcDecodeError TryRead(MainlineId id, BencodeDictionary arguments, out KrpcQuery? query)
    {
        query = null;
        KrpcDecodeError error;
        if ((error = KrpcFields.ReadId(arguments, KrpcKeys.Target, out var target)) != KrpcDecodeError.None
            || (error = KrpcFields.ReadWant(arguments, out var want)) != KrpcDecodeError.None)
        {
            return error;
        }

        query = new FindNodeQuery(id, target, want);
        return KrpcDecodeError.None;
    }
}
