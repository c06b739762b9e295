using Kademlia.Engine;
using Kademlia.Engine.Internal;
using Kademlia.Identity;
using Kademlia.Routing;

namespace Kademlia.Tests.Engine.Internal;

public sealed class RelayCircuitsTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly NodeInfo[] Nodes = Enumerable.Range(0, 8).Select(i => Node((byte)i)).ToArray();

    private static NodeInfo Node(byte b)
    {
        var key = new byte[32];
        key[0] = b;
        key[31] = 1;
        return new NodeInfo(NodeId.Hash(key), new NodePublicKey(key), 0, default);
    }

    [Fact]
    public void A_circuit_carries_its_bytes_each_way_and_no_more_until_its_duration_is_over()
    {
        var limits = new RelayLimits { MaxBytesPerDirection = 1000, MaxDuration = TimeSpan.FromMinutes(2) };
        var circuits = new RelayCircuits(limits);
        var (opener, client) = (Nodes[0], Nodes[1]);

        Assert.Equal(RelayDecision.Forward, circuits.Decide(Start, opener, client.Id, true, 600, out _));
        Assert.Equal(RelayDecision.Forward, circuits.Decide(Start, opener, client.Id, true, 400, out _));
        Assert.Equal(RelayDecision.Limit, circuits.Decide(Start, opener, client.Id, true, 1, out _));
        // The other direction has its own budget, and its frames go back to the opener.
        Assert.Equal(RelayDecision.Forward, circuits.Decide(Start, client, opener.Id, false, 1000, out var back));
        Assert.Equal(opener.Id, back.Id);
        Assert.Equal(RelayDecision.Limit, circuits.Decide(Start.AddSeconds(119), opener, client.Id, true, 1, out _));

        Assert.Equal(RelayDecision.Forward, circuits.Decide(Start.AddMinutes(2), opener, client.Id, true, 1000, out _));
        Assert.Equal(2, circuits.Opened);
        Assert.Equal(3000, circuits.BytesRelayed);
    }

    [Fact]
    public void An_ended_circuit_to_a_node_that_is_not_our_client_stays_closed()
    {
        var circuits = new RelayCircuits(new RelayLimits { MaxDuration = TimeSpan.FromSeconds(10) });
        Assert.Equal(RelayDecision.Forward, circuits.Decide(Start, Nodes[0], Nodes[1].Id, true, 10, out _));
        Assert.Equal(RelayDecision.Limit, circuits.Decide(Start.AddSeconds(10), Nodes[1], Nodes[0].Id, false, 10, out _));
        Assert.Equal(RelayDecision.NoCircuit, circuits.Decide(Start.AddSeconds(11), Nodes[1], Nodes[0].Id, false, 10, out _));
    }

    [Fact]
    public void Circuits_are_limited_in_all_and_per_node_and_only_open_to_our_clients()
    {
        var circuits = new RelayCircuits(new RelayLimits { MaxCircuits = 3, MaxCircuitsPerPeer = 2 });

        Assert.Equal(RelayDecision.NoCircuit, circuits.Decide(Start, Nodes[0], Nodes[1].Id, false, 10, out _));
        Assert.Equal(RelayDecision.Forward, circuits.Decide(Start, Nodes[0], Nodes[1].Id, true, 10, out _));
        Assert.Equal(RelayDecision.Forward, circuits.Decide(Start, Nodes[0], Nodes[2].Id, true, 10, out _));
        Assert.Equal(RelayDecision.NoCircuit, circuits.Decide(Start, Nodes[0], Nodes[3].Id, true, 10, out _)); // Nodes[0] has 2
        Assert.Equal(RelayDecision.Forward, circuits.Decide(Start, Nodes[4], Nodes[5].Id, true, 10, out _));
        Assert.Equal(RelayDecision.NoCircuit, circuits.Decide(Start, Nodes[6], Nodes[7].Id, true, 10, out _)); // 3 in all
        Assert.Equal(3, circuits.Count);
    }
}
