using System.Net;
using Kademlia.Identity;
using Kademlia.Records;

namespace Kademlia.Tests;

/// <summary>Issue 16 item 6: results say why they failed as a typed value (<see cref="QueryResult.Failure"/>).</summary>
public sealed class OperationFailureTests
{
    private static CancellationToken Guard() => new CancellationTokenSource(LoopbackNetwork.Guard).Token;

    private static Task<DhtNode> StartAsync(NetworkParameters network) =>
        DhtNode.StartAsync(new DhtNodeOptions { Network = network, Bind = new IPEndPoint(IPAddress.Loopback, 0) });

    [Fact]
    public async Task A_put_on_a_lone_node_is_stored_locally_only()
    {
        await using var lone = await StartAsync(NetworkParameters.Test);
        var put = await lone.PutAsync(ImmutableRecord.Create("alone"u8), cancellationToken: Guard());
        Assert.False(put.Succeeded);
        Assert.Equal(OperationFailure.StoredLocallyOnly, put.Failure);
    }

    [Fact]
    public async Task Successes_carry_no_failure_a_miss_is_not_found_and_a_stale_compare_and_swap_is_a_cas_mismatch()
    {
        await using var network = await LoopbackNetwork.StartAsync(3);
        using var signer = RecordSigningKey.Generate();
        var first = await network.Nodes[1].PutAsync(MutableRecord.Create(signer, "cas"u8, 1, "one"u8), cancellationToken: Guard());
        Assert.True(first.Succeeded);
        Assert.Equal(OperationFailure.None, first.Failure);

        var miss = await network.Nodes[2].GetAsync(NodeId.Hash("nobody stored this"u8), RecordKind.Immutable, Guard());
        Assert.Null(miss.Record);
        Assert.Equal(OperationFailure.NotFound, miss.Failure);

        var stale = await network.Nodes[2].PutAsync(MutableRecord.Create(signer, "cas"u8, 2, "two"u8), expectedSequence: 7, Guard());
        Assert.False(stale.Succeeded);
        Assert.Equal(OperationFailure.CasMismatch, stale.Failure);
    }

    [Fact]
    public async Task Bootstraps_between_two_networks_fail_as_wrong_network_and_a_silent_seed_as_no_seed_answered()
    {
        var other = NetworkParameters.Test with { NetworkId = NetworkParameters.NetworkIdFromName("another-test-network"), Name = "another-test-network" };
        await using var a = await StartAsync(NetworkParameters.Test);
        await using var b = await StartAsync(other);

        // Each asks the other: each receives the other's handshake, of another network, instead of an answer.
        var results = await Task.WhenAll(
            a.BootstrapAsync([], [b.LocalEndpoint], Guard()),
            b.BootstrapAsync([], [a.LocalEndpoint], Guard()));
        Assert.All(results, r => Assert.Equal(OperationFailure.WrongNetwork, r.Failure));

        using var silent = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using var c = await StartAsync(NetworkParameters.Test);
        var alone = await c.BootstrapAsync([], [silent.LocalEndPoint!], Guard());
        Assert.Equal(OperationFailure.NoSeedAnswered, alone.Failure);
    }
}
