using System.Net;
using Kademlia.Sessions;

namespace Kademlia.Tests.Sessions;

public class SessionRobustnessTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void IK_and_XX_first_contact_survive_lost_duplicated_and_reordered_packets(int seed)
    {
        using var pair = new SessionPair(seed);
        var faults = new Random(seed);
        pair.Send(pair.A, pair.A.InitiateIk(pair.Now, pair.B, "ik request"));
        using var bootstrap = new SessionPair(seed + 100);
        bootstrap.B.AnswerData = true;
        bootstrap.Send(bootstrap.A, bootstrap.A.InitiateXx(bootstrap.Now, bootstrap.B, "xx request"));

        // Retries stop after 90 s and sessions last 180 s, so 100 s of virtual time decides the outcome.
        for (int step = 0; step < 5000 && pair.Now < SessionPair.Start.AddSeconds(100); step++)
        {
            bootstrap.Now = pair.Now;
            foreach (var link in new[] { pair, bootstrap })
            {
                Disturb(link, faults);
                if (link.InFlight.Count > 0)
                {
                    link.Deliver(faults.Next(link.InFlight.Count)); // random order = reordering
                }
            }

            if (pair.InFlight.Count == 0 && bootstrap.InFlight.Count == 0)
            {
                pair.Tick(TimeSpan.FromSeconds(1));
                bootstrap.Now = pair.Now - TimeSpan.FromSeconds(1);
                bootstrap.Tick(TimeSpan.FromSeconds(1));
            }
        }

        Assert.Contains(pair.A.Delivered, d => d.Outcome == DatagramOutcome.FirstAnswer && d.Text == "answer:ik request");
        Assert.All(pair.B.Delivered, d => Assert.Equal("ik request", d.Text));
        Assert.Contains(bootstrap.B.Delivered, d => d.Text == "xx request");
        Assert.All(bootstrap.B.Delivered, d => Assert.Equal("xx request", d.Text));
        Assert.Contains(bootstrap.A.Delivered, d => d.Text == "answer:xx request");
        Assert.True(bootstrap.A.Manager.HasSession(bootstrap.B.Key, bootstrap.Now));

        // Whatever happened, the sessions that were kept work in both directions.
        foreach (var link in new[] { pair, bootstrap })
        {
            link.InFlight.Clear();
            link.B.AnswerData = false;
            link.Send(link.A, link.A.Seal(link.Now, link.B, "check A"));
            link.Flush();
            link.Send(link.B, link.B.Seal(link.Now, link.A, "check B"));
            link.Flush();
            Assert.Equal("check A", link.B.Delivered[^1].Text);
            Assert.Equal("check B", link.A.Delivered[^1].Text);
        }
    }

    [Fact]
    public void Hostile_datagrams_never_throw_and_never_deliver_plaintext()
    {
        using var pair = SessionHandshakeTests.Established();
        using var xx = new SessionPair(9);
        var corpus = CollectValidPackets(pair, xx);
        var random = new Random(12345);
        var buffer = new byte[PacketFormat.MaxPacketSize];
        var targets = new[] { pair.A.Manager, pair.B.Manager, xx.A.Manager, xx.B.Manager };
        var from = IPEndPoint.Parse("198.51.100.7:1234");
        int delivered = 0;

        for (int i = 0; i < 200_000; i++)
        {
            var (packet, mutated) = NextHostilePacket(random, corpus);
            var target = targets[random.Next(targets.Length)];
            target.UnderLoad = random.Next(8) == 0;
            var result = target.HandleDatagram(SessionPair.Start.AddSeconds(random.Next(0, 3)), from, packet, buffer);
            if (result.Outcome is DatagramOutcome.FirstRequest or DatagramOutcome.FirstAnswer or DatagramOutcome.Data)
            {
                Assert.False(mutated, $"iteration {i}: a mutated packet delivered plaintext");
                delivered++;
            }
        }

        Assert.True(delivered < corpus.Count);
    }

    private static void Disturb(SessionPair link, Random faults)
    {
        for (int i = link.InFlight.Count - 1; i >= 0; i--)
        {
            double roll = faults.NextDouble();
            if (roll < 0.3)
            {
                link.InFlight.RemoveAt(i);
            }
            else if (roll < 0.45)
            {
                link.InFlight.Add(link.InFlight[i]);
            }
        }
    }

    private static List<byte[]> CollectValidPackets(SessionPair pair, SessionPair xx)
    {
        var corpus = new List<byte[]>
        {
            pair.A.Seal(pair.Now, pair.B, "data a"),
            pair.B.Seal(pair.Now, pair.A, "data b"),
            pair.A.Seal(pair.Now, pair.B, ""),
        };

        // A complete IK exchange from a third node, and a cookie reply.
        using var c = new SessionTestNode(77, "10.0.0.3:4000");
        var initiation = c.InitiateIk(pair.Now.AddSeconds(1), pair.B, "third");
        corpus.Add(initiation);
        pair.B.Manager.UnderLoad = true;
        corpus.AddRange(pair.B.Receive(pair.Now, c.EndPoint, initiation).Select(r => r.Packet));
        pair.B.Manager.UnderLoad = false;
        corpus.Add(pair.A.InitiateIk(pair.Now.AddSeconds(2), pair.B, "fresh"));

        // XX messages 1, 2 and 3 (message 3 left undelivered so the responder still waits for it).
        var m1 = xx.A.InitiateXx(xx.Now, xx.B, "boot");
        var m2 = xx.B.Receive(xx.Now, xx.A.EndPoint, m1).Single().Packet;
        var m3 = xx.A.Receive(xx.Now, xx.B.EndPoint, m2).Single().Packet;
        corpus.AddRange([m1, m2, m3, xx.A.InitiateXx(xx.Now, xx.B, "boot 2")]);
        return corpus;
    }

    private static (byte[] Packet, bool Mutated) NextHostilePacket(Random random, List<byte[]> corpus)
    {
        switch (random.Next(4))
        {
            case 0:
            {
                // Pure noise with a plausible header half the time.
                var packet = new byte[random.Next(0, 1400)];
                random.NextBytes(packet);
                if (packet.Length >= 6 && random.Next(2) == 0)
                {
                    packet[0] = 1;
                    packet[1] = (byte)random.Next(0, 9);
                    packet[2] = packet[3] = packet[4] = 0;
                    packet[5] = 7;
                }

                return (packet, true);
            }

            case 1:
            {
                // A valid packet sent again: replays must not deliver twice, and may deliver once.
                return ((byte[])corpus[random.Next(corpus.Count)].Clone(), false);
            }

            default:
            {
                var original = corpus[random.Next(corpus.Count)];
                var packet = (byte[])original.Clone();
                switch (random.Next(3))
                {
                    case 0:
                        packet = packet[..random.Next(0, packet.Length)];
                        break;
                    case 1:
                        Array.Resize(ref packet, packet.Length + random.Next(1, 64));
                        break;
                    default:
                        for (int flips = random.Next(1, 4); flips > 0; flips--)
                        {
                            packet[random.Next(packet.Length)] ^= (byte)random.Next(1, 256);
                        }

                        break;
                }

                return (packet, ChangesAuthenticatedBytes(original, packet));
            }
        }
    }

    /// <summary>mac2 is the only field not authenticated when the responder is not under load.</summary>
    private static bool ChangesAuthenticatedBytes(byte[] original, byte[] packet)
    {
        if (packet.Length != original.Length)
        {
            return true;
        }

        int authenticated = original[1] is (byte)PacketType.IkInitiation or (byte)PacketType.IkResponse or (byte)PacketType.XxMessage1
            ? original.Length - PacketFormat.MacSize
            : original.Length;
        return !packet.AsSpan(0, authenticated).SequenceEqual(original.AsSpan(0, authenticated));
    }
}
