using System.Text;
using Kademlia.Mainline.Internal;
using Kademlia.Routing;

namespace Kademlia.Mainline;

/// <summary>
/// Reads and writes KRPC messages (BEP 5, with BEP 32 <c>nodes6</c>/<c>want</c>, BEP 42 <c>ip</c>, BEP 43
/// <c>ro</c> and BEP 44 <c>get</c>/<c>put</c>) over the canonical bencode codec.
/// </summary>
/// <remarks>
/// <para>
/// Reading never throws. Bytes that are not canonical bencode are refused by <see cref="BencodeReader"/>;
/// then the envelope (<c>t</c>, <c>y</c>) and the body's known keys are checked for type and length, and
/// unknown keys are ignored so that messages from clients with more extensions still parse. A query for a
/// method this node does not know is <see cref="KrpcDecodeError.UnknownMethod"/>; the transaction ID is still
/// handed back whenever it could be read, so the node can answer 203 or 204 as BEP 5 describes.
/// </para>
/// <para>
/// Writing builds the message's dictionary and encodes it canonically. Reading what was written gives back a
/// message that writes the same bytes.
/// </para>
/// </remarks>
public static class KrpcCodec
{
    /// <summary>Decodes one KRPC datagram.</summary>
    public static KrpcDecodeError TryRead(ReadOnlySpan<byte> datagram, out KrpcMessage? message) =>
        TryRead(datagram, out message, out _);

    /// <summary>
    /// Decodes one KRPC datagram; <paramref name="transactionId"/> is set whenever the datagram had one,
    /// even if the rest is refused, so that a query can be answered with an error.
    /// </summary>
    public static KrpcDecodeError TryRead(ReadOnlySpan<byte> datagram, out KrpcMessage? message, out BencodeString? transactionId)
    {
        message = null;
        transactionId = null;
        if (BencodeReader.TryRead(datagram, out var value) != BencodeError.None)
        {
            return KrpcDecodeError.InvalidBencode;
        }

        if (value is not BencodeDictionary dictionary)
        {
            return KrpcDecodeError.NotADictionary;
        }

        if (!dictionary.TryGetValue(KrpcKeys.TransactionId, out var t) || t is not BencodeString id)
        {
            return KrpcDecodeError.MissingTransactionId;
        }

        transactionId = id;
        if (!dictionary.TryGetValue(KrpcKeys.MessageType, out var y) || y is not BencodeString { Length: 1 } type)
        {
            return KrpcDecodeError.InvalidMessageType;
        }

        KrpcBody? body;
        var error = type.Span[0] switch
        {
            (byte)'q' => ReadQuery(dictionary, out body),
            (byte)'r' => ReadResponse(dictionary, out body),
            (byte)'e' => ReadError(dictionary, out body),
            _ => Refuse(KrpcDecodeError.InvalidMessageType, out body),
        };
        if (error != KrpcDecodeError.None
            || (error = KrpcFields.ReadOptionalString(dictionary, KrpcKeys.ClientVersion, out var version)) != KrpcDecodeError.None
            || (error = ReadExternalEndpoint(dictionary, out var external)) != KrpcDecodeError.None
            || (error = KrpcFields.ReadOptionalInteger(dictionary, KrpcKeys.ReadOnly, out var readOnly)) != KrpcDecodeError.None)
        {
            return error;
        }

        message = new KrpcMessage(id, body!)
        {
            ClientVersion = version,
            ExternalEndpoint = external,
            ReadOnly = readOnly is not null and not 0,
        };
        return KrpcDecodeError.None;
    }

    /// <summary>The message as the bencoded dictionary that goes on the wire.</summary>
    public static BencodeDictionary ToBencode(KrpcMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var entries = new KrpcEntries();
        entries.Add(KrpcKeys.TransactionId, message.TransactionId);
        switch (message.Body)
        {
            case KrpcQuery query:
                entries.Add(KrpcKeys.MessageType, "q"u8);
                entries.Add(KrpcKeys.Method, Encoding.ASCII.GetBytes(query.Method));
                var arguments = new KrpcEntries();
                arguments.Add(KrpcKeys.Id, query.Id);
                query.WriteArguments(arguments);
                entries.Add(KrpcKeys.Arguments, arguments.ToDictionary());
                break;
            case KrpcResponse response:
                entries.Add(KrpcKeys.MessageType, "r"u8);
                entries.Add(KrpcKeys.Response, WriteResponse(response));
                break;
            case KrpcError error:
                entries.Add(KrpcKeys.MessageType, "e"u8);
                entries.Add(KrpcKeys.Error, new BencodeList(new BencodeInteger(error.Code), new BencodeString(Encoding.UTF8.GetBytes(error.Message))));
                break;
            default:
                throw new ArgumentException($"Unknown KRPC body {message.Body?.GetType()}.", nameof(message));
        }

        if (message.ClientVersion is { } version)
        {
            entries.Add(KrpcKeys.ClientVersion, version);
        }

        if (message.ExternalEndpoint is { } external)
        {
            Span<byte> peer = stackalloc byte[CompactInfo.PeerV6Size];
            entries.Add(KrpcKeys.ExternalIp, peer[..CompactInfo.WritePeer(peer, external)]);
        }

        if (message.ReadOnly)
        {
            entries.Add(KrpcKeys.ReadOnly, 1);
        }

        return entries.ToDictionary();
    }

    /// <summary>Encodes <paramref name="message"/> into a new array: one datagram.</summary>
    public static byte[] Encode(KrpcMessage message) => BencodeWriter.Encode(ToBencode(message));

    private static KrpcDecodeError ReadQuery(BencodeDictionary dictionary, out KrpcBody? body)
    {
        body = null;
        if (!dictionary.TryGetValue(KrpcKeys.Method, out var q) || q is not BencodeString method)
        {
            return KrpcDecodeError.MissingMethod;
        }

        if (!dictionary.TryGetValue(KrpcKeys.Arguments, out var a) || a is not BencodeDictionary arguments)
        {
            return KrpcDecodeError.MissingArguments;
        }

        var error = KrpcFields.ReadId(arguments, KrpcKeys.Id, out var id);
        if (error != KrpcDecodeError.None)
        {
            return error;
        }

        KrpcQuery? query;
        var name = method.Span;
        if (name.SequenceEqual("ping"u8))
        {
            query = new PingQuery(id);
        }
        else if (name.SequenceEqual("find_node"u8))
        {
            error = FindNodeQuery.TryRead(id, arguments, out query);
        }
        else if (name.SequenceEqual("get_peers"u8))
        {
            error = GetPeersQuery.TryRead(id, arguments, out query);
        }
        else if (name.SequenceEqual("announce_peer"u8))
        {
            error = AnnouncePeerQuery.TryRead(id, arguments, out query);
        }
        else if (name.SequenceEqual("get"u8))
        {
            error = GetItemQuery.TryRead(id, arguments, out query);
        }
        else if (name.SequenceEqual("put"u8))
        {
            error = PutItemQuery.TryRead(id, arguments, out query);
        }
        else
        {
            return KrpcDecodeError.UnknownMethod;
        }

        body = query;
        return error;
    }

    private static KrpcDecodeError ReadResponse(BencodeDictionary dictionary, out KrpcBody? body)
    {
        body = null;
        if (!dictionary.TryGetValue(KrpcKeys.Response, out var r) || r is not BencodeDictionary values)
        {
            return KrpcDecodeError.MissingArguments;
        }

        KrpcDecodeError error;
        if ((error = KrpcFields.ReadId(values, KrpcKeys.Id, out var id)) != KrpcDecodeError.None
            || (error = ReadNodes(values, KrpcKeys.Nodes, ipv6: false, out var nodes)) != KrpcDecodeError.None
            || (error = ReadNodes(values, KrpcKeys.Nodes6, ipv6: true, out var nodes6)) != KrpcDecodeError.None
            || (error = ReadPeers(values, out var peers)) != KrpcDecodeError.None
            || (error = KrpcFields.ReadOptionalString(values, KrpcKeys.Token, out var token)) != KrpcDecodeError.None
            || (error = KrpcFields.ReadPublicKey(values, out var key)) != KrpcDecodeError.None
            || (error = KrpcFields.ReadOptionalInteger(values, KrpcKeys.Sequence, out var sequence)) != KrpcDecodeError.None
            || (error = KrpcFields.ReadSignature(values, out var signature)) != KrpcDecodeError.None)
        {
            return error;
        }

        values.TryGetValue(KrpcKeys.Value, out var value);
        body = new KrpcResponse(id)
        {
            Nodes = nodes,
            Nodes6 = nodes6,
            Values = peers,
            Token = token,
            Value = value,
            PublicKey = key,
            Sequence = sequence,
            Signature = signature,
        };
        return KrpcDecodeError.None;
    }

    private static BencodeDictionary WriteResponse(KrpcResponse response)
    {
        var values = new KrpcEntries();
        values.Add(KrpcKeys.Id, response.Id);
        if (response.Nodes is { } nodes)
        {
            values.Add(KrpcKeys.Nodes, CompactInfo.EncodeNodes(nodes, ipv6: false));
        }

        if (response.Nodes6 is { } nodes6)
        {
            values.Add(KrpcKeys.Nodes6, CompactInfo.EncodeNodes(nodes6, ipv6: true));
        }

        if (response.Values is { } peers)
        {
            var items = new BencodeValue[peers.Count];
            Span<byte> peer = stackalloc byte[CompactInfo.PeerV6Size];
            for (var i = 0; i < items.Length; i++)
            {
                items[i] = new BencodeString(peer[..CompactInfo.WritePeer(peer, peers[i])]);
            }

            values.Add(KrpcKeys.Values, new BencodeList(items));
        }

        if (response.Token is { } token)
        {
            values.Add(KrpcKeys.Token, token);
        }

        if (response.Value is { } value)
        {
            values.Add(KrpcKeys.Value, value);
        }

        if (response.PublicKey is { } key)
        {
            values.Add(KrpcKeys.Key, key.Span);
        }

        if (response.Sequence is { } sequence)
        {
            values.Add(KrpcKeys.Sequence, sequence);
        }

        if (response.Signature is { } signature)
        {
            values.Add(KrpcKeys.Signature, signature);
        }

        return values.ToDictionary();
    }

    private static KrpcDecodeError ReadError(BencodeDictionary dictionary, out KrpcBody? body)
    {
        body = null;
        if (!dictionary.TryGetValue(KrpcKeys.Error, out var e) || e is not BencodeList { Count: >= 2 } list
            || list[0] is not BencodeInteger code || list[1] is not BencodeString text)
        {
            return KrpcDecodeError.InvalidError;
        }

        body = new KrpcError(code.Value, Encoding.UTF8.GetString(text.Span));
        return KrpcDecodeError.None;
    }

    private static KrpcDecodeError ReadNodes(BencodeDictionary dictionary, ReadOnlySpan<byte> key, bool ipv6, out MainlineNode[]? nodes)
    {
        nodes = null;
        var error = KrpcFields.ReadOptionalString(dictionary, key, out var bytes);
        if (error != KrpcDecodeError.None || bytes is null)
        {
            return error;
        }

        return CompactInfo.TryReadNodes(bytes.Span, ipv6, out nodes) ? KrpcDecodeError.None : KrpcDecodeError.InvalidField;
    }

    private static KrpcDecodeError ReadPeers(BencodeDictionary dictionary, out NodeEndpoint[]? peers)
    {
        peers = null;
        if (!dictionary.TryGetValue(KrpcKeys.Values, out var value))
        {
            return KrpcDecodeError.None;
        }

        if (value is not BencodeList list)
        {
            return KrpcDecodeError.InvalidField;
        }

        // BEP 32: a list may mix 6-byte IPv4 and 18-byte IPv6 peers; any other length is malformed.
        var result = new NodeEndpoint[list.Count];
        for (var i = 0; i < result.Length; i++)
        {
            if (list[i] is not BencodeString peer || !CompactInfo.TryReadPeer(peer.Span, out result[i]))
            {
                return KrpcDecodeError.InvalidField;
            }
        }

        peers = result;
        return KrpcDecodeError.None;
    }

    private static KrpcDecodeError ReadExternalEndpoint(BencodeDictionary dictionary, out NodeEndpoint? endpoint)
    {
        endpoint = null;
        var error = KrpcFields.ReadOptionalString(dictionary, KrpcKeys.ExternalIp, out var bytes);
        if (error != KrpcDecodeError.None || bytes is null)
        {
            return error;
        }

        if (!CompactInfo.TryReadPeer(bytes.Span, out var read))
        {
            return KrpcDecodeError.InvalidField;
        }

        endpoint = read;
        return KrpcDecodeError.None;
    }

    private static KrpcDecodeError Refuse(KrpcDecodeError error, out KrpcBody? body)
    {
        body = null;
        return error;
    }
}
