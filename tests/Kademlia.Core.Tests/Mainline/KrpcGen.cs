using CsCheck;
using Kademlia.Identity;
using Kademlia.Mainline;
using Kademlia.Routing;

namespace Kademlia.Tests.Mainline;

/// <summary>CsCheck generators of KRPC messages of every kind, optional fields present and absent.</summary>
internal static class KrpcGen
{
    /// <summary>The value or, one time in three, null (CsCheck's Nullable is for value types).</summary>
    public static Gen<T?> OrNull<T>(this Gen<T> gen)
        where T : class => Gen.Frequency((1, Gen.Const(default(T))), (2, gen.Select(value => (T?)value)));

    public static readonly Gen<MainlineId> Id = Gen.Byte.Array[MainlineId.Size].Select(b => new MainlineId(b));

    public static readonly Gen<BencodeString> Bytes = Gen.Byte.Array[0, 20].Select(b => new BencodeString(b));

    public static readonly Gen<NodeEndpoint> V4 = Gen.Select(Gen.UInt, Gen.UShort, NodeEndpoint.FromIPv4);

    // A global unicast prefix keeps generated IPv6 addresses from being IPv4-mapped.
    public static readonly Gen<NodeEndpoint> V6 = Gen.Select(Gen.Byte.Array[15], Gen.UShort, (rest, port) =>
        NodeEndpoint.FromIPv6([0x20, .. rest], port));

    public static readonly Gen<KrpcWant> Want = Gen.Int[0, 3].Select(w => (KrpcWant)w);

    public static readonly Gen<MainlineItem> Item = Gen.Frequency(
        (1, BencodeGen.Value.Select(v => (MainlineItem)new ImmutableItem(v))),
        (1, Gen.Select(Gen.Byte.Array[NodePublicKey.Size], Bytes, Gen.Long[0, long.MaxValue], BencodeGen.Value, Gen.Byte.Array[MutableItem.SignatureSize])
            .Select((k, salt, seq, v, sig) => (MainlineItem)new MutableItem(new NodePublicKey(k), salt, seq, v, sig))));

    public static readonly Gen<KrpcQuery> Query = Gen.OneOf<KrpcQuery>(
        Id.Select(id => (KrpcQuery)new PingQuery(id)),
        Gen.Select(Id, Id, Want, (id, target, want) => (KrpcQuery)new FindNodeQuery(id, target, want)),
        Gen.Select(Id, Id, Want, (id, hash, want) => (KrpcQuery)new GetPeersQuery(id, hash, want)),
        Gen.Select(Id, Id, Gen.UShort, Gen.Bool, Bytes, (id, hash, port, implied, token) => (KrpcQuery)new AnnouncePeerQuery(id, hash, port, implied, token)),
        Gen.Select(Id, Id, Gen.Long.Nullable(), (id, target, seq) => (KrpcQuery)new GetItemQuery(id, target, seq)),
        Gen.Select(Id, Bytes, Item, Gen.Long.Nullable(), (id, token, item, cas) => (KrpcQuery)new PutItemQuery(id, token, item, item is MutableItem ? cas : null)));

    public static readonly Gen<KrpcResponse> Response =
        Gen.Select(Id, V4.Array[0, 8].OrNull(), V6.Array[0, 8].OrNull(), Gen.OneOf(V4, V6).Array[0, 8].OrNull(), Bytes.OrNull(), BencodeGen.Value.OrNull())
        .SelectMany((id, nodes, nodes6, values, token, value) =>
            Gen.Select(Id.Array[8], Gen.Byte.Array[NodePublicKey.Size].OrNull(), Gen.Long.Nullable(), Gen.Byte.Array[MutableItem.SignatureSize].OrNull())
            .Select((ids, key, seq, sig) => new KrpcResponse(id)
            {
                Nodes = nodes?.Select((e, i) => new MainlineNode(ids[i], e)).ToArray(),
                Nodes6 = nodes6?.Select((e, i) => new MainlineNode(ids[i], e)).ToArray(),
                Values = values,
                Token = token,
                Value = value,
                PublicKey = key is null ? null : new NodePublicKey(key),
                Sequence = seq,
                Signature = sig is null ? null : new BencodeString(sig),
            }));

    public static readonly Gen<KrpcError> Error = Gen.Select(
        Gen.OneOf(Gen.OneOfConst(201L, 202L, 203L, 204L, 205L, 206L, 207L, 301L, 302L), Gen.Long),
        Gen.String[Gen.Char.AlphaNumeric, 0, 40],
        (code, text) => new KrpcError(code, text));

    public static readonly Gen<KrpcMessage> Message = Gen.Select(
        Bytes,
        Gen.Frequency((3, Query.Select(q => (KrpcBody)q)), (2, Response.Select(r => (KrpcBody)r)), (1, Error.Select(e => (KrpcBody)e))),
        Bytes.OrNull(),
        Gen.OneOf(V4, V6).Nullable(),
        Gen.Bool,
        (t, body, version, external, readOnly) => new KrpcMessage(t, body)
        {
            ClientVersion = version,
            ExternalEndpoint = external,
            ReadOnly = readOnly,
        });
}
