using System.Net;
using CsCheck;
using Kademlia.Engine;
using Kademlia.Engine.Internal;
using Kademlia.Identity;
using Kademlia.Wire;

namespace Kademlia.Tests.Engine.Internal;

public sealed class OutstandingRequestsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly IPEndPoint Address = new(IPAddress.Loopback, 4000);

    private static PendingRequest Request(ulong id, int deadlineSeconds, NodeId? peer = null) =>
        new(id, null, peer, Address, MessageType.Ping, RequestPurpose.Query, T0, T0.AddSeconds(deadlineSeconds));

    [Fact]
    public void Expired_requests_come_out_in_deadline_order_and_answered_ones_never()
    {
        var requests = new OutstandingRequests();
        var peer = NodeId.Hash("peer"u8);
        requests.Add(Request(1, 30, peer));
        requests.Add(Request(2, 10, peer));
        requests.Add(Request(3, 20, peer));
        Assert.True(requests.TryTakeAnswered(3, peer, Address, out _));

        Assert.Equal(T0.AddSeconds(10), requests.NextDeadline());
        Assert.False(requests.TryTakeExpired(T0.AddSeconds(9), out _));
        var expired = new List<ulong>();
        while (requests.TryTakeExpired(T0.AddSeconds(60), out var request))
        {
            expired.Add(request.RequestId);
        }

        Assert.Equal([2UL, 1UL], expired);
        Assert.Null(requests.NextDeadline());
        Assert.Equal(0, requests.Count);
    }

    [Fact]
    public void An_answer_from_another_peer_or_address_does_not_take_the_request()
    {
        var requests = new OutstandingRequests();
        var asked = NodeId.Hash("asked"u8);
        requests.Add(Request(1, 10, asked));
        requests.Add(Request(2, 10)); // known only by address
        Assert.False(requests.TryTakeAnswered(1, NodeId.Hash("someone else"u8), Address, out _));
        Assert.False(requests.TryTakeAnswered(2, asked, new IPEndPoint(IPAddress.Loopback, 4001), out _));
        Assert.True(requests.TryTakeAnswered(1, asked, new IPEndPoint(IPAddress.Loopback, 4001), out _));
        Assert.True(requests.TryTakeAnswered(2, asked, Address, out _));
    }

    [Fact]
    public void Failing_a_request_now_moves_it_to_the_front_and_it_expires_once()
    {
        var requests = new OutstandingRequests();
        requests.Add(Request(1, 30));
        requests.Add(Request(2, 10));
        requests.FailAt(1, T0);
        Assert.Equal(T0, requests.NextDeadline());
        Assert.True(requests.TryTakeExpired(T0, out var first));
        Assert.Equal(1UL, first.RequestId);
        Assert.Equal(T0.AddSeconds(10), requests.NextDeadline()); // the stale entry at 30 s is skipped later
        Assert.True(requests.TryTakeExpired(T0.AddSeconds(40), out var second));
        Assert.Equal(2UL, second.RequestId);
        Assert.False(requests.TryTakeExpired(T0.AddSeconds(40), out _));
    }

    [Fact]
    public void A_contact_has_at_most_one_liveness_check_in_flight()
    {
        var requests = new OutstandingRequests();
        var contact = NodeId.Hash("oldest"u8);
        Assert.True(requests.TryBeginLivenessCheck(contact));
        Assert.False(requests.TryBeginLivenessCheck(contact));
        requests.EndLivenessCheck(contact);
        Assert.True(requests.TryBeginLivenessCheck(contact));
    }

    [Fact]
    public void The_next_deadline_is_always_the_earliest_of_the_requests_in_flight()
    {
        // Operations: 0 = add, 1 = answer, 2 = fail now, 3 = expire up to a time.
        var operations = Gen.Select(Gen.Int[0, 3], Gen.Int[0, 15], Gen.Int[0, 60]).Array[1, 80];
        operations.Sample(ops =>
        {
            var requests = new OutstandingRequests();
            var model = new Dictionary<ulong, DateTimeOffset>();
            var now = T0;
            foreach (var (kind, id, seconds) in ops)
            {
                var requestId = (ulong)id;
                switch (kind)
                {
                    case 0 when !model.ContainsKey(requestId):
                        requests.Add(Request(requestId, seconds));
                        model[requestId] = T0.AddSeconds(seconds);
                        break;
                    case 1:
                        Assert.Equal(model.Remove(requestId), requests.TryTakeAnswered(requestId, default, Address, out _));
                        break;
                    case 2 when model.TryGetValue(requestId, out var deadline):
                        requests.FailAt(requestId, now);
                        model[requestId] = deadline > now ? now : deadline;
                        break;
                    case 3:
                        now = T0.AddSeconds(seconds) > now ? T0.AddSeconds(seconds) : now;
                        while (requests.TryTakeExpired(now, out var expired))
                        {
                            Assert.True(model.Remove(expired.RequestId, out var modelled) && modelled <= now);
                        }

                        Assert.DoesNotContain(model.Values, d => d <= now);
                        break;
                }

                Assert.Equal(model.Count == 0 ? null : model.Values.Min(), requests.NextDeadline());
                Assert.Equal(model.Count, requests.Count);
            }
        });
    }
}
