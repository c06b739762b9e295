using System.Net;
using System.Net.Sockets;
using System.Text;
using Kademlia.Records;

namespace Kademlia.Tests;

public sealed class ResilienceTests
{
    private static CancellationToken Guard() => new CancellationTokenSource(LoopbackNetwork.Guard).Token;

    [Fact]
    public async Task At_least_99_of_100_keys_survive_stopping_40_percent_of_the_nodes()
    {
        await using var network = await LoopbackNetwork.StartAsync(30);
        var nodes = network.Nodes;
        var records = Enumerable.Range(0, 100).Select(i => ImmutableRecord.Create(Encoding.UTF8.GetBytes($"key {i} {Guid.NewGuid()}"))).ToList();
        var puts = await Task.WhenAll(records.Select((r, i) => nodes[i % nodes.Count].PutAsync(r, cancellationToken: Guard())));
        Assert.All(puts, p => Assert.True(p.Succeeded));

        var asker = nodes[0];
        var stopped = nodes.Skip(1).Where((_, i) => i % 5 < 2).ToList(); // 12 of 30
        foreach (var node in stopped)
        {
            await node.DisposeAsync();
        }

        var found = 0;
        foreach (var record in records)
        {
            var got = await asker.GetAsync(record.Key, RecordKind.Immutable, Guard());
            if (got.Succeeded)
            {
                found++;
            }
        }

        Assert.True(found >= 99, $"{found} of 100 keys found after stopping {stopped.Count} of {nodes.Count} nodes");
    }

    [Fact]
    public async Task A_node_flooded_with_hostile_packets_keeps_answering_honest_pings()
    {
        await using var network = await LoopbackNetwork.StartAsync(3);
        var victim = network.Nodes[0];
        var honest = network.Nodes[1];
        using var attacker = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        attacker.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var random = new Random(7);
        var packet = new byte[1400];
        var flood = Task.Run(() =>
        {
            for (var i = 0; i < 100_000; i++)
            {
                var length = random.Next(1, packet.Length);
                random.NextBytes(packet.AsSpan(0, length));
                // Some of them look like our packets: right version, a packet type, our network ID.
                if (i % 3 == 0)
                {
                    packet[0] = 1;
                    packet[1] = (byte)random.Next(1, 8);
                }

                attacker.SendTo(packet.AsSpan(0, length), SocketFlags.None, victim.LocalEndPoint);
            }
        });

        var answered = 0;
        while (!flood.IsCompleted && answered < 200)
        {
            var pong = await honest.PingAsync(victim.Info, Guard());
            Assert.True(pong.Succeeded);
            answered++;
        }

        await flood;
        var after = await honest.PingAsync(victim.Info, Guard());
        Assert.True(after.Succeeded);
        var stats = await victim.GetStatisticsAsync();
        Assert.True(stats.Engine.TotalDrops > 0, "the hostile packets were counted as drops");
        Assert.True(answered > 0);
    }
}
