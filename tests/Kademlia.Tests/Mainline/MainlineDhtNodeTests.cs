using System.Net;
using System.Net.Sockets;
using Kademlia.Mainline;
using NSec.Cryptography;

namespace Kademlia.Tests.Mainline;

/// <summary>Mainline nodes on real UDP sockets on loopback: every operation of the async API.</summary>
public class MainlineDhtNodeTests
{
    private static CancellationToken Budget(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    [Fact]
    public async Task Eight_nodes_announce_and_find_peers_over_udp()
    {
        var cancellationToken = Budget();
        await using var network = await MainlineLoopback.StartAsync(8, cancellationToken);
        var infoHash = MainlineId.Sha1("loopback torrent"u8);
        var announcer = network.Nodes[2];

        var announced = await announcer.AnnouncePeerAsync(infoHash, cancellationToken: cancellationToken);
        var found = await network.Nodes[6].GetPeersAsync(infoHash, cancellationToken);

        Assert.InRange(announced.StoredCount, 1, 7);
        Assert.Contains(new NodeEndpoint(IPAddress.Loopback, announcer.LocalEndpoint.Port), found.Peers);
        Assert.All(network.Nodes, n => Assert.True(n.RoutingTableCount > 0));
    }

    [Fact]
    public async Task Bep44_immutable_and_mutable_items_round_trip_with_salt_sequence_and_cas()
    {
        var cancellationToken = Budget();
        await using var network = await MainlineLoopback.StartAsync(8, cancellationToken);
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var publicKey = new Identity.NodePublicKey(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        var salt = "salt"u8.ToArray();

        var putImmutable = await network.Nodes[1].PutImmutableAsync(BencodeString.FromUtf8("immutable value"), cancellationToken);
        var gotImmutable = await network.Nodes[5].GetImmutableAsync(putImmutable.Target, cancellationToken);
        await network.Nodes[1].PutMutableAsync(key, BencodeString.FromUtf8("v1"), 1, salt, cancellationToken: cancellationToken);
        var update = await network.Nodes[1].PutMutableAsync(key, BencodeString.FromUtf8("v2"), 2, salt, cas: 1, cancellationToken);
        var stale = await network.Nodes[1].PutMutableAsync(key, BencodeString.FromUtf8("v3"), 3, salt, cas: 1, cancellationToken);
        var gotMutable = await network.Nodes[6].GetMutableAsync(publicKey, salt, cancellationToken);

        Assert.True(putImmutable.StoredCount > 0);
        Assert.Equal(BencodeString.FromUtf8("immutable value"), Assert.IsType<ImmutableItem>(gotImmutable.Item).Value);
        Assert.True(update.StoredCount > 0);
        Assert.Contains(stale.Errors, e => e.KnownCode == KrpcErrorCode.CasMismatch);
        var mutable = Assert.IsType<MutableItem>(gotMutable.Item);
        Assert.Equal(2, mutable.Sequence);
        Assert.Equal(BencodeString.FromUtf8("v2"), mutable.Value);
    }

    [Fact]
    public async Task A_read_only_node_looks_up_yet_stays_out_of_every_table_and_garbage_does_not_disturb_anyone()
    {
        var cancellationToken = Budget();
        await using var network = await MainlineLoopback.StartAsync(6, cancellationToken);
        var reader = await network.AddAsync(MainlineLoopback.Options(readOnly: true), cancellationToken);
        using (var junk = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            for (var i = 0; i < 100; i++)
            {
                junk.SendTo(new byte[] { (byte)'d', (byte)i, (byte)'e' }, network.Nodes[0].LocalEndpoint);
            }
        }

        var infoHash = MainlineId.Sha1("read only"u8);
        await network.Nodes[3].AnnouncePeerAsync(infoHash, 4242, cancellationToken);
        var found = await reader.GetPeersAsync(infoHash, cancellationToken);

        Assert.Contains(new NodeEndpoint(IPAddress.Loopback, 4242), found.Peers);
        Assert.True(reader.RoutingTableCount > 0);
        foreach (var node in network.Nodes.Where(n => n != reader))
        {
            Assert.DoesNotContain(node.RoutingTableContacts(), c => c.Endpoint.Port == reader.LocalEndpoint.Port);
        }

        for (var i = 0; i < 200 && network.Nodes[0].Statistics.Malformed < 100; i++)
        {
            await Task.Delay(10, cancellationToken);
        }

        Assert.Equal(100, network.Nodes[0].Statistics.Malformed);
        Assert.NotEmpty((await network.Nodes[4].PingAsync(network.Nodes[0].LocalEndpoint, cancellationToken)).Closest);
    }

    [Fact]
    public async Task Every_operation_honours_cancellation_and_disposal_ends_what_is_running()
    {
        // A bound socket that never answers: the bootstrap waits on it until cancelled.
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var node = await MainlineDhtNode.StartAsync(MainlineLoopback.Options() with
        {
            Engine = MainlineLoopback.Options().Engine with { MaxRequestTimeout = TimeSpan.FromSeconds(30) },
        }, Budget());
        using var cancel = new CancellationTokenSource();
        var waiting = node.BootstrapAsync([(IPEndPoint)silent.LocalEndPoint!], cancel.Token);
        await Task.Delay(50, Budget());
        Assert.False(waiting.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => node.GetPeersAsync(MainlineId.Sha1("x"u8), cancel.Token));

        var running = node.PingAsync((IPEndPoint)silent.LocalEndPoint!, Budget());
        await node.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => running);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => node.GetImmutableAsync(MainlineId.Sha1("y"u8), Budget()));
    }

    [Fact]
    public async Task Bep32_nodes_bound_to_ipv6_loopback_announce_and_find_peers_over_ipv6()
    {
        var cancellationToken = Budget();
        var nodes = new List<MainlineDhtNode>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                var node = await MainlineDhtNode.StartAsync(MainlineLoopback.Options() with { Bind = new IPEndPoint(IPAddress.IPv6Loopback, 0) }, cancellationToken);
                nodes.Add(node);
                if (i > 0) await node.BootstrapAsync([nodes[0].LocalEndpoint], cancellationToken);
            }

            var infoHash = MainlineId.Sha1("over ipv6"u8);
            Assert.True((await nodes[1].AnnouncePeerAsync(infoHash, 6886, cancellationToken)).StoredCount > 0);
            var found = await nodes[4].GetPeersAsync(infoHash, cancellationToken);

            Assert.Contains(new NodeEndpoint(IPAddress.IPv6Loopback, 6886), found.Peers);
            Assert.All(nodes[4].RoutingTableContacts(), c => Assert.False(c.Endpoint.IsIPv4));
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }
}
