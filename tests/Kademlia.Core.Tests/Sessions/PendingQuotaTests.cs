using System.Net;
using Kademlia.Sessions;

namespace Kademlia.Tests.Sessions;

/// <summary>
/// Issue 12 item 6: the pending handshake table keeps slots for this node's own initiations, so handshakes
/// that others start (a flood from forged sources, before or without cookies) never push ours out.
/// </summary>
public sealed class PendingQuotaTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_flood_of_responder_handshakes_fills_only_the_responder_quota_and_our_initiation_completes()
    {
        using var node = new SessionTestNode(1, "127.0.0.1:4000");
        using var peer = new SessionTestNode(2, "127.0.0.1:4001");
        using var forger = new SessionTestNode(3, "127.0.0.1:4002");
        Assert.False(node.Manager.UnderLoad); // nothing here asks for cookies: only the quotas protect us

        var ours = node.InitiateIk(Now, peer, "ours");

        // Twice the whole table of XX messages 1, each from its own forged address.
        for (int i = 0; i < 2 * new SessionOptions().MaxPendingHandshakes; i++)
        {
            var from = new IPEndPoint(new IPAddress([10, (byte)(i >> 8), (byte)i, 1]), 7000);
            Assert.Single(node.Receive(Now, from, forger.InitiateXx(Now, node, "")));
        }

        Assert.Equal(node.Manager.ResponderPendingCapacity, node.Manager.ResponderPendingCount);
        Assert.Equal(new SessionOptions().MaxPendingHandshakes - new SessionOptions().ReservedInitiatorHandshakes, node.Manager.ResponderPendingCapacity);
        Assert.Equal(node.Manager.ResponderPendingCount + 1, node.Manager.PendingHandshakeCount);

        var (to, response) = Assert.Single(peer.Receive(Now, node.EndPoint, ours));
        Assert.Equal(node.EndPoint, to);
        Assert.Empty(node.Receive(Now, peer.EndPoint, response));
        var answer = Assert.Single(node.Delivered);
        Assert.Equal(DatagramOutcome.FirstAnswer, answer.Outcome);
        Assert.Equal(SessionTestNode.AnswerTo("ours"), answer.Text);
    }
}
