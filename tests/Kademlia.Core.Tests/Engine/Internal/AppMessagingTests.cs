using System.Net;
using Kademlia.Engine.Internal;
using Kademlia.Identity;
using Kademlia.Wire;

namespace Kademlia.Tests.Engine.Internal;

public sealed class AppMessagingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly IPEndPoint From = new(IPAddress.Loopback, 5000);

    private static NodeId Peer(int i) => NodeId.Hash([(byte)i, (byte)(i >> 8)]);

    private static AppMessaging Open(params string[] channels)
    {
        var apps = new AppMessaging(perSecondPerPeer: 1e6, burstPerPeer: 1e6, maxPeers: 10_000);
        foreach (var channel in channels)
        {
            apps.Open(channel);
        }

        return apps;
    }

    [Fact]
    public void One_peer_cannot_have_more_than_64_requests_waiting_but_others_still_can()
    {
        var apps = Open("c");
        for (var i = 0; i < AppMessaging.MaxAwaitingPerPeer; i++)
        {
            Assert.Equal(AppAdmission.Deliver, apps.Admit(T0, Peer(1), From, new AppRequest((ulong)i, "c", [])));
        }

        Assert.Equal(AppAdmission.Backlog, apps.Admit(T0, Peer(1), From, new AppRequest(1000, "c", [])));
        Assert.Equal(AppAdmission.Deliver, apps.Admit(T0, Peer(2), From, new AppRequest(1000, "c", [])));
        Assert.Equal(AppAdmission.Deliver, apps.Admit(T0, Peer(1), From, new AppDatagram(1000, "c", []))); // datagrams wait for nothing

        Assert.True(apps.TryTakeAwaiting(T0, Peer(1), 0, out var from));
        Assert.Equal(From, from);
        Assert.Equal(AppAdmission.Deliver, apps.Admit(T0, Peer(1), From, new AppRequest(1001, "c", [])));
    }

    [Fact]
    public void The_whole_table_holds_1024_requests_and_makes_room_only_by_forgetting_those_older_than_the_reply_window()
    {
        var apps = Open("c");
        for (var i = 0; i < AppMessaging.MaxAwaiting; i++)
        {
            Assert.Equal(AppAdmission.Deliver, apps.Admit(T0, Peer(i / AppMessaging.MaxAwaitingPerPeer), From, new AppRequest((ulong)i, "c", [])));
        }

        Assert.Equal(AppAdmission.Backlog, apps.Admit(T0 + AppMessaging.ReplyWindow, Peer(999), From, new AppRequest(1, "c", [])));
        var later = T0 + AppMessaging.ReplyWindow + TimeSpan.FromSeconds(1);
        Assert.Equal(AppAdmission.Deliver, apps.Admit(later, Peer(999), From, new AppRequest(1, "c", [])));
        Assert.Equal(1, apps.AwaitingCount);
        // An answer too late for its request is refused even while it is still held.
        var fresh = Open("c");
        Assert.Equal(AppAdmission.Deliver, fresh.Admit(T0, Peer(1), From, new AppRequest(5, "c", [])));
        Assert.False(fresh.TryTakeAwaiting(later, Peer(1), 5, out _));
    }

    [Fact]
    public void A_copy_is_recognised_by_its_sender_and_request_id_while_it_waits_and_a_datagram_among_the_last_delivered()
    {
        var apps = Open("c");
        Assert.Equal(AppAdmission.Deliver, apps.Admit(T0, Peer(1), From, new AppRequest(7, "c", "a"u8)));
        Assert.Equal(AppAdmission.Duplicate, apps.Admit(T0, Peer(1), From, new AppRequest(7, "c", "a"u8)));
        Assert.Equal(AppAdmission.Deliver, apps.Admit(T0, Peer(2), From, new AppRequest(7, "c", "a"u8)));
        Assert.True(apps.TryTakeAwaiting(T0, Peer(1), 7, out _));
        Assert.Equal(AppAdmission.Deliver, apps.Admit(T0, Peer(1), From, new AppRequest(7, "c", "a"u8))); // answered: its answer was lost

        Assert.Equal(AppAdmission.Deliver, apps.Admit(T0, Peer(1), From, new AppDatagram(8, "c", [])));
        Assert.Equal(AppAdmission.Duplicate, apps.Admit(T0, Peer(1), From, new AppDatagram(8, "c", [])));
        for (var i = 0; i < AppMessaging.RecentDatagrams; i++)
        {
            apps.Admit(T0, Peer(3), From, new AppDatagram((ulong)i, "c", []));
        }

        Assert.Equal(AppAdmission.Deliver, apps.Admit(T0, Peer(1), From, new AppDatagram(8, "c", []))); // forgotten by now
    }

    [Fact]
    public void Closing_a_channel_forgets_its_waiting_requests_and_refuses_what_comes_next()
    {
        var apps = Open("a", "b");
        Assert.Equal(AppAdmission.Deliver, apps.Admit(T0, Peer(1), From, new AppRequest(1, "a", [])));
        Assert.Equal(AppAdmission.Deliver, apps.Admit(T0, Peer(1), From, new AppRequest(2, "b", [])));

        Assert.True(apps.Close("a"));
        Assert.False(apps.Close("a"));

        Assert.False(apps.TryTakeAwaiting(T0, Peer(1), 1, out _));
        Assert.True(apps.TryTakeAwaiting(T0, Peer(1), 2, out _));
        Assert.Equal(AppAdmission.NoSuchChannel, apps.Admit(T0, Peer(1), From, new AppRequest(3, "a", [])));
        Assert.Equal(AppAdmission.NoSuchChannel, apps.Admit(T0, Peer(1), From, new AppDatagram(3, "A", []))); // names are case-sensitive
    }

    [Fact]
    public void The_rate_is_per_peer_and_counts_both_kinds()
    {
        var apps = new AppMessaging(perSecondPerPeer: 1, burstPerPeer: 2, maxPeers: 100);
        apps.Open("c");
        Assert.Equal(AppAdmission.Deliver, apps.Admit(T0, Peer(1), From, new AppDatagram(1, "c", [])));
        Assert.Equal(AppAdmission.Deliver, apps.Admit(T0, Peer(1), From, new AppRequest(2, "c", [])));
        Assert.Equal(AppAdmission.RateLimited, apps.Admit(T0, Peer(1), From, new AppRequest(3, "c", [])));
        Assert.Equal(AppAdmission.RateLimited, apps.Admit(T0, Peer(1), From, new AppDatagram(4, "nowhere", [])));
        Assert.Equal(AppAdmission.Deliver, apps.Admit(T0, Peer(2), From, new AppDatagram(5, "c", [])));
        Assert.Equal(AppAdmission.Deliver, apps.Admit(T0.AddSeconds(1), Peer(1), From, new AppDatagram(6, "c", [])));
    }
}
