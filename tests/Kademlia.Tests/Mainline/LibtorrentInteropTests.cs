using System.Net;
using Kademlia.Identity;
using Kademlia.Mainline;
using NSec.Cryptography;
using static Kademlia.Tests.Mainline.MixedMainlineNetwork;

namespace Kademlia.Tests.Mainline;

/// <summary>
/// Interop with libtorrent (the reference implementation) on loopback, both directions for every operation:
/// peers announced by one side and found by the other, BEP 44 immutable and mutable items (salt, sequence
/// update, cas) put by one side and got by the other, and lookups crossing both kinds of node.
/// </summary>
public sealed class LibtorrentInteropTests(MixedMainlineNetwork network) : IClassFixture<MixedMainlineNetwork>
{
    private static CancellationToken Budget() => new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token;

    private static string Hex(MainlineId id) => id.ToString();

    [LibtorrentFact]
    public async Task Our_announce_is_found_by_every_libtorrent_session()
    {
        var cancellationToken = Budget();
        var infoHash = MainlineId.Sha1("ours announces"u8);
        var announced = await network.Ours[1].AnnouncePeerAsync(infoHash, 41001, cancellationToken);
        Assert.True(announced.StoredCount > 0, $"stored on {announced.StoredCount}, errors {string.Join(", ", announced.Errors)}, closest {announced.Closest.Count}, queries {announced.QueriesSent}, answers {announced.Responses}");

        for (var session = 0; session < Count; session++)
        {
            var s = session;
            var found = await RetryAsync(
                () => network.Libtorrent.SendAsync("get_peers", s, Args(("info_hash", Hex(infoHash))), cancellationToken),
                answer => Peers(answer).Contains("127.0.0.1:41001"),
                cancellationToken);
            Assert.Contains("127.0.0.1:41001", Peers(found));
        }
    }

    [LibtorrentFact]
    public async Task A_libtorrent_announce_is_found_by_our_nodes()
    {
        var cancellationToken = Budget();
        var infoHash = MainlineId.Sha1("libtorrent announces"u8);
        var port = (await network.Libtorrent.SendAsync("announce", 2, Args(("info_hash", Hex(infoHash))), cancellationToken)).GetProperty("port").GetInt32();
        var peer = new NodeEndpoint(IPAddress.Loopback, port);

        foreach (var node in network.Ours)
        {
            var found = await RetryAsync(() => node.GetPeersAsync(infoHash, cancellationToken), r => r.Peers.Contains(peer), cancellationToken, attempts: 60);
            Assert.Contains(peer, found.Peers);
        }
    }

    [LibtorrentFact]
    public async Task Our_immutable_put_is_stored_by_libtorrent_nodes_and_got_by_every_session()
    {
        var cancellationToken = Budget();
        var put = await network.Ours[0].PutImmutableAsync(BencodeString.FromUtf8("put by ours"), cancellationToken);

        // Only three of our nodes besides the putter exist: more acknowledgements came from libtorrent.
        Assert.True(put.StoredCount > Count - 1, $"stored on {put.StoredCount}");
        for (var session = 0; session < Count; session++)
        {
            var s = session;
            var got = await RetryAsync(
                () => network.Libtorrent.SendAsync("get_immutable", s, Args(("target", Hex(put.Target))), cancellationToken),
                answer => answer.GetProperty("found").GetBoolean(),
                cancellationToken,
                attempts: 5);
            Assert.Equal("put by ours", got.GetProperty("value").GetString());
        }
    }

    [LibtorrentFact]
    public async Task A_libtorrent_immutable_put_is_got_by_our_nodes()
    {
        var cancellationToken = Budget();
        var put = await network.Libtorrent.SendAsync("put_immutable", 1, Args(("value", "put by libtorrent")), cancellationToken);
        var target = MainlineId.Parse(put.GetProperty("target").GetString()!);
        Assert.True(put.GetProperty("stored").GetInt32() > 0, put.ToString());

        Assert.Equal(MainlineId.Sha1("17:put by libtorrent"u8), target);
        foreach (var node in network.Ours)
        {
            var got = await RetryAsync(() => node.GetImmutableAsync(target, cancellationToken), r => r.Item is not null, cancellationToken, attempts: 5);
            Assert.Equal(BencodeString.FromUtf8("put by libtorrent"), Assert.IsType<ImmutableItem>(got.Item).Value);
        }
    }

    [LibtorrentFact]
    public async Task Our_mutable_puts_with_salt_sequence_and_cas_are_got_by_libtorrent_which_refuses_a_stale_cas()
    {
        var cancellationToken = Budget();
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var publicKey = Convert.ToHexStringLower(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        var salt = "ours"u8.ToArray();

        var first = await network.Ours[2].PutMutableAsync(key, BencodeString.FromUtf8("ours v1"), 1, salt, cancellationToken: cancellationToken);
        var second = await network.Ours[2].PutMutableAsync(key, BencodeString.FromUtf8("ours v2"), 2, salt, cas: 1, cancellationToken);
        var stale = await network.Ours[2].PutMutableAsync(key, BencodeString.FromUtf8("ours v3"), 3, salt, cas: 1, cancellationToken);

        Assert.True(first.StoredCount > Count - 1, $"stored on {first.StoredCount}");
        Assert.True(second.StoredCount > Count - 1, $"stored on {second.StoredCount}");
        // Every node that holds seq 2 refuses; only one that missed the update (none on a quiet loopback) could take it.
        Assert.True(stale.StoredCount <= (2 * Count) - 1 - second.StoredCount, $"stale stored on {stale.StoredCount}, seq 2 on {second.StoredCount}");
        // libtorrent's nodes answer the stale cas with BEP 44's 301 too.
        Assert.True(stale.Errors.Count(e => e.KnownCode == KrpcErrorCode.CasMismatch) > Count - 1, string.Join(", ", stale.Errors));
        for (var session = 0; session < Count; session++)
        {
            var s = session;
            var got = await RetryAsync(
                () => network.Libtorrent.SendAsync("get_mutable", s, Args(("public_key", publicKey), ("salt", "ours")), cancellationToken),
                answer => answer.GetProperty("found").GetBoolean() && answer.GetProperty("seq").GetInt64() == 2,
                cancellationToken,
                attempts: 5);
            Assert.Equal(2, got.GetProperty("seq").GetInt64());
            Assert.Equal("ours v2", got.GetProperty("value").GetString());
        }
    }

    [LibtorrentFact]
    public async Task Libtorrent_mutable_puts_are_got_by_us_and_our_update_of_its_item_is_got_by_libtorrent()
    {
        var cancellationToken = Budget();
        var seed = Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        var arguments = () => Args(("seed", Convert.ToHexStringLower(seed)), ("salt", "lt"), ("value", "lt v1"));
        var put1 = await network.Libtorrent.SendAsync("put_mutable", 3, arguments(), cancellationToken);
        var args2 = arguments();
        args2["value"] = "lt v2";
        var put2 = await network.Libtorrent.SendAsync("put_mutable", 3, args2, cancellationToken);
        Assert.True(put2.GetProperty("stored").GetInt32() > 0, put2.ToString());
        var seq = put2.GetProperty("seq").GetInt64();
        Assert.Equal(put1.GetProperty("seq").GetInt64() + 1, seq);
        var publicKey = new NodePublicKey(Convert.FromHexString(put2.GetProperty("public_key").GetString()!));

        foreach (var node in network.Ours)
        {
            var got = await RetryAsync(() => node.GetMutableAsync(publicKey, "lt"u8.ToArray(), cancellationToken), r => r.Item is MutableItem { } m && m.Sequence == seq, cancellationToken, attempts: 5);
            var item = Assert.IsType<MutableItem>(got.Item);
            Assert.Equal(seq, item.Sequence);
            Assert.Equal(BencodeString.FromUtf8("lt v2"), item.Value);
        }

        // The same key signs from our side (the 32-byte seed libtorrent's expanded key was derived from).
        using var key = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);
        var ours = await network.Ours[0].PutMutableAsync(key, BencodeString.FromUtf8("ours v3"), seq + 1, "lt"u8.ToArray(), cas: seq, cancellationToken);
        Assert.True(ours.StoredCount > Count - 1, $"stored on {ours.StoredCount}: {string.Join(", ", ours.Errors)}");
        var back = await RetryAsync(
            () => network.Libtorrent.SendAsync("get_mutable", 1, Args(("public_key", put2.GetProperty("public_key").GetString()), ("salt", "lt")), cancellationToken),
            answer => answer.GetProperty("found").GetBoolean() && answer.GetProperty("seq").GetInt64() == seq + 1,
            cancellationToken,
            attempts: 5);
        Assert.Equal("ours v3", back.GetProperty("value").GetString());
    }

    [LibtorrentFact]
    public async Task Lookups_cross_both_kinds_of_node()
    {
        var cancellationToken = Budget();
        var target = MainlineId.Sha1("anywhere"u8);
        var libtorrentPorts = network.Libtorrent.Ports.ToHashSet();
        var ourPorts = network.Ours.Select(o => o.LocalEndpoint.Port).ToHashSet();

        var result = await RetryAsync(
            () => network.Ours[3].FindNodeAsync(target, cancellationToken),
            r => r.Closest.Count(n => libtorrentPorts.Contains(n.Endpoint.Port)) == Count && r.Closest.Count(n => ourPorts.Contains(n.Endpoint.Port)) == Count - 1,
            cancellationToken,
            attempts: 10);

        // k = 8 covers the whole network: the result is every other node, of both kinds, in XOR order.
        Assert.Equal(Count, result.Closest.Count(n => libtorrentPorts.Contains(n.Endpoint.Port)));
        Assert.Equal(Count - 1, result.Closest.Count(n => ourPorts.Contains(n.Endpoint.Port)));
        Assert.Equal(result.Closest.OrderBy(n => n.Id ^ target).Select(n => n.Id), result.Closest.Select(n => n.Id));
        Assert.Contains(network.Ours[3].RoutingTableContacts(), c => libtorrentPorts.Contains(c.Endpoint.Port));
    }
}
