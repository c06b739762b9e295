using Kademlia.Mainline.Internal;

namespace Kademlia.Mainline;

/// <summary>
/// BEP 5 <c>get_peers</c>: asks for peers of a torrent, or failing that the nodes closest to its info-hash;
/// either answer carries a write token for a later <c>announce_peer</c>.
/// </summary>
/// <param name="Id">The querying node's ID.</param>
/// <param name="InfoHash">The torrent's info-hash.</param>
/// <param name="Want">The address families wanted in the answer (BEP 32).</param>
public sealed record GetPeersQuery(MainlineId Id, MainlineId InfoHash, KrpcWant Want = KrpcWant.None) : KrpcQuery(Id)
{
    /// <summary>The method name <c>"get_peers"</c>.</summary>
    public const string MethodName = "get_peers";

    /// <inheritdoc />
    public override string Method => MethodName;

    internal override void WriteArguments(KrpcEntries arguments)
    {
        arguments.Add(KrpcKeys.InfoHash, InfoHash);
        arguments.AddWant(Want);
    }

    internal static KrpcDecodeError TryRead(MainlineId id, BencodeDictionary arguments, out KrpcQuery? query)
    {
        query = null;
        KrpcDecodeError error;
        if ((error = KrpcFields.ReadId(arguments, KrpcKeys.InfoHash, out var infoHash)) != KrpcDecodeError.None
            || (error = KrpcFields.ReadWant(arguments, out var want)) != KrpcDecodeError.None)
        {
            return error;
        }

        query = new GetPeersQuery(id, infoHash, want);
        return KrpcDecodeError.None;
    }
}
