using Kademlia.Mainline.Internal;

namespace Kademlia.Mainline;

/// <summary>
/// BEP 5 <c>announce_peer</c>: the asker's peer downloads <paramref name="InfoHash"/> on
/// <paramref name="Port"/>, proven by the <paramref name="Token"/> the answerer gave it in <c>get_peers</c>.
/// </summary>
/// <param name="Id">The querying node's ID.</param>
/// <param name="InfoHash">The torrent's info-hash.</param>
/// <param name="Port">The peer's port; ignored by the answerer when <paramref name="ImpliedPort"/> is set.</param>
/// <param name="ImpliedPort">
/// Use the query's UDP source port as the peer port (<c>implied_port = 1</c>): for peers behind a NAT who
/// accept uTP on their DHT port.
/// </param>
/// <param name="Token">The write token from the answerer's <c>get_peers</c> response.</param>
public sealed record AnnouncePeerQuery(MainlineId Id, MainlineId InfoHash, ushort Port, bool ImpliedPort, BencodeString Token) : KrpcQuery(Id)
{
    /// <summary>The method name <c>"announce_peer"</c>.</summary>
    public const string MethodName = "announce_peer";

    /// <inheritdoc />
    public override string Method => MethodName;

    internal override void WriteArguments(KrpcEntries arguments)
    {
        if (ImpliedPort)
        {
            arguments.Add(KrpcKeys.ImpliedPort, 1);
        }

        arguments.Add(KrpcKeys.InfoHash, InfoHash);
        arguments.Add(KrpcKeys.Port, Port);
        arguments.Add(KrpcKeys.Token, Token);
    }

    internal static KrpcDecodeError TryRead(MainlineId id, BencodeDictionary arguments, out KrpcQuery? query)
    {
        query = null;
        KrpcDecodeError error;
        if ((error = KrpcFields.ReadId(arguments, KrpcKeys.InfoHash, out var infoHash)) != KrpcDecodeError.None
            || (error = KrpcFields.ReadInteger(arguments, KrpcKeys.Port, out var port)) != KrpcDecodeError.None
            || (error = KrpcFields.ReadOptionalInteger(arguments, KrpcKeys.ImpliedPort, out var implied)) != KrpcDecodeError.None
            || (error = KrpcFields.ReadString(arguments, KrpcKeys.Token, out var token)) != KrpcDecodeError.None)
        {
            return error;
        }

        if (port is < 0 or > ushort.MaxValue)
        {
            return KrpcDecodeError.InvalidField;
        }

        // BEP 5: "If it is present and non-zero, the port argument should be ignored".
        query = new AnnouncePeerQuery(id, infoHash, (ushort)port, implied is not null and not 0, token!);
        return KrpcDecodeError.None;
    }
}
