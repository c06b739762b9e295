using System.Net;
using Kademlia.Sessions;

namespace Kademlia.Tests.Sessions;

/// <summary>
/// Issue 12, item 3: a flood of valid handshakes (keys that pass proof-of-work) from one prefix must not
/// push verified peers out of the session layer's peer table, nor keep newcomers of other prefixes out.
/// Scaled down 16 times: a table of 256 instead of 4,096; the flood runs at the 48 initiations a second
/// seen live, from one source, each from a fresh key, four times the table in all.
/// </summary>
public sealed class PeerTableFloodTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int MaxPeers = 256;
    private const int QuietPeers = 200;
    private const int FloodInitiations = 4 * MaxPeers;
    private const int FloodPerSecond = 48;

    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_flood_of_valid_initiations_from_one_prefix_pushes_out_no_verified_peer_and_honest_pings_all_succeed()
    {
        using var node = new SessionTestNode(1, "192.0.2.1:4000", options: new SessionOptions { NetworkId = 7, MaxPeers = MaxPeers }) { AnswerData = true };
        var now = Start;

        // Peers that talked to the node and went quiet (their sessions still live), and one that keeps pinging.
        var quiet = Enumerable.Range(0, QuietPeers).Select(i => new SessionTestNode(100 + i, $"198.51.{i}.10:4000")).ToList();
        using var pinger = new SessionTestNode(99, "203.0.113.7:4000");
        foreach (var peer in quiet.Append(pinger))
        {
            Exchange(node, peer, now, "hello");
        }

        Assert.Equal(QuietPeers + 1, node.Manager.VerifiedPeerCount);

        var attacker = IPEndPoint.Parse("10.66.0.1:5000");
        long attackIn = 0, attackOut = 0;
        int answered = 0, pingsSent = 0, pingsAnswered = 0;
        var refusals = new Dictionary<SessionDropReason, int>();
        SessionTestNode? newcomer = null;
        for (int i = 0; i < FloodInitiations; i++)
        {
            now = Start + TimeSpan.FromSeconds(1 + ((double)i / FloodPerSecond));
            using var sybil = new SessionTestNode(10_000 + i, "10.66.0.1:5000");
            var initiation = sybil.InitiateIk(now, node, "ping");
            attackIn += initiation.Length;
            int drops = node.Drops.Count;
            var sent = node.Receive(now, attacker, initiation);
            attackOut += sent.Sum(s => s.Packet.Length);
            answered += sent.Count > 0 ? 1 : 0;
            foreach (var reason in node.Drops.Skip(drops))
            {
                refusals[reason] = refusals.GetValueOrDefault(reason) + 1;
            }

            if (i % FloodPerSecond == 0)
            {
                pingsSent++;
                pingsAnswered += Ping(node, pinger, now, $"ping {i}") ? 1 : 0;
            }

            if (i == FloodInitiations / 2)
            {
                // A newcomer of another prefix arrives in the middle of the flood.
                newcomer = new SessionTestNode(98, "192.0.2.200:4000");
                Exchange(node, newcomer, now, "newcomer");
            }
        }

        output.WriteLine($"flood: {FloodInitiations} initiations ({attackIn:N0} bytes), {answered} answered ({attackOut:N0} bytes, {(double)attackOut / attackIn:F2} out per in), refused: {string.Join(", ", refusals.Select(r => $"{r.Key} {r.Value}"))}");
        output.WriteLine($"honest: {pingsAnswered}/{pingsSent} pings answered during the flood; peers {node.Manager.PeerCount}, verified {node.Manager.VerifiedPeerCount}");
        Assert.True(node.Manager.PeerCount <= MaxPeers);
        Assert.Equal(pingsSent, pingsAnswered);
        Assert.True(node.Manager.HasPeer(newcomer!.Key));
        Assert.True(node.Manager.HasPeer(pinger.Key));
        Assert.All(quiet, peer => Assert.True(node.Manager.HasPeer(peer.Key)));

        // Every quiet peer is still answered on the session it had before the flood.
        now += TimeSpan.FromSeconds(1);
        Assert.Equal(QuietPeers, quiet.Count(peer => Ping(node, peer, now, "still there?")));
        Assert.True(Ping(node, newcomer, now, "and me?"));

        // The flood from one prefix got at most its burst plus its rate for the flood's duration.
        var seconds = (double)FloodInitiations / FloodPerSecond;
        Assert.True(answered <= 64 + (16 * (seconds + 1)), $"{answered} flood initiations answered");
        Assert.True(refusals.GetValueOrDefault(SessionDropReason.NewPeerRateLimited) >= FloodInitiations - answered - 1);
        Assert.True(attackOut <= 3 * attackIn);

        foreach (var peer in quiet)
        {
            peer.Dispose();
        }

        newcomer.Dispose();
    }

    /// <summary>An IK first contact from <paramref name="peer"/> answered by <paramref name="node"/>, then one transport request, which verifies the peer.</summary>
    private static void Exchange(SessionTestNode node, SessionTestNode peer, DateTimeOffset now, string request)
    {
        var (_, response) = Assert.Single(node.Receive(now, peer.EndPoint, peer.InitiateIk(now, node, request)));
        peer.Receive(now, node.EndPoint, response);
        Assert.True(Ping(node, peer, now, request + " again"));
    }

    /// <summary>A transport request from <paramref name="peer"/>; true when its answer came back.</summary>
    private static bool Ping(SessionTestNode node, SessionTestNode peer, DateTimeOffset now, string text)
    {
        if (peer.TrySeal(now, node, text, out var packet).Status != SealStatus.Sealed)
        {
            return false;
        }

        int delivered = peer.Delivered.Count;
        foreach (var (_, answer) in node.Receive(now, peer.EndPoint, packet))
        {
            peer.Receive(now, node.EndPoint, answer);
        }

        return peer.Delivered.Skip(delivered).Any(d => d.Text == SessionTestNode.AnswerTo(text));
    }
}
