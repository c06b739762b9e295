using System.Net;
using Kademlia.Engine;
using Kademlia.Engine.Internal;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Routing;

namespace Kademlia.Tests.Engine.Internal;

public sealed class PublishJobsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly NetworkParameters Network = NetworkParameters.Test;
    private static readonly NodeId Self = NodeId.Hash("self"u8);
    private static readonly EngineOptions Options = new() { Network = Network };

    private static List<PublishJob> Take(PublishJobs jobs, DateTimeOffset now, int routingCount, IRecordStore store, int slots = PublishJobs.MaxMaintenanceQueries)
    {
        var due = new List<PublishJob>();
        jobs.TakeDue(now, routingCount, canAnnounce: true, store, slots, due);
        return due;
    }

    [Fact]
    public void Our_own_records_are_republished_each_interval_with_a_full_lifetime_until_unpublished()
    {
        var jobs = new PublishJobs(Self, Options);
        var store = new MemoryRecordStore(Self);
        var record = ImmutableRecord.Create("ours"u8);
        jobs.Publish(record, T0);
        Assert.Empty(Take(jobs, T0, 20, store));

        var due = Assert.Single(Take(jobs, T0 + Network.RepublishInterval, 20, store));
        Assert.Equal(PublishJobKind.Republish, due.Kind);
        Assert.Equal(Network.RecordTtl, due.Ttl);
        Assert.Empty(Take(jobs, T0 + Network.RepublishInterval + Options.MaintenanceInterval, 20, store));

        Assert.True(jobs.Unpublish(record.Key));
        Assert.Empty(Take(jobs, T0 + (3 * Network.RepublishInterval), 20, store));
    }

    [Fact]
    public void Values_held_for_others_are_replicated_with_their_remaining_lifetime_unless_refreshed_lately()
    {
        var jobs = new PublishJobs(Self, Options);
        var store = new MemoryRecordStore(Self);
        var other = NodeId.Hash("publisher"u8);
        var old = ImmutableRecord.Create("stored long ago"u8);
        var fresh = ImmutableRecord.Create("refreshed lately"u8);
        var ours = ImmutableRecord.Create("ours"u8);
        Take(jobs, T0, 20, store); // the first pass: nothing held yet

        var now = T0 + Network.ReplicationInterval;
        store.Put(old, other, now, now + TimeSpan.FromHours(5));
        store.Put(fresh, other, now, now + Network.RecordTtl);
        store.Put(ours, Self, now, now + Network.RecordTtl);

        var due = Take(jobs, now, 20, store);
        var job = Assert.Single(due);
        Assert.Equal(PublishJobKind.Replicate, job.Kind);
        Assert.Equal(old.Key, job.Key);
        Assert.Equal(TimeSpan.FromHours(5), job.Ttl);
    }

    [Fact]
    public void Replication_never_exceeds_its_slots_and_finishes_the_backlog_on_later_passes()
    {
        var jobs = new PublishJobs(Self, Options);
        var store = new MemoryRecordStore(Self);
        Take(jobs, T0, 20, store);
        var now = T0 + Network.ReplicationInterval;
        for (var i = 0; i < 5; i++)
        {
            store.Put(ImmutableRecord.Create([(byte)i]), NodeId.Hash("other"u8), now, now + TimeSpan.FromHours(1));
        }

        Assert.Equal(2, Take(jobs, now, 20, store, slots: 2).Count);
        Assert.Equal(3, jobs.ReplicationBacklog);
        Assert.Equal(3, Take(jobs, now + Options.MaintenanceInterval, 20, store).Count);
        Assert.Equal(0, jobs.ReplicationBacklog);
    }

    [Fact]
    public void A_nearly_empty_table_rejoins_from_the_last_seeds_with_a_doubling_backoff_reset_once_healthy()
    {
        var jobs = new PublishJobs(Self, Options);
        var store = new MemoryRecordStore(Self);
        Assert.Empty(Take(jobs, T0, 0, store)); // no seeds known: nothing to rejoin from

        jobs.RememberSeeds([], [new IPEndPoint(IPAddress.Loopback, 4001)]);
        var attempts = new List<TimeSpan>();
        var now = T0;
        for (var step = 0; step < 2000 && now < T0 + TimeSpan.FromMinutes(20); step++)
        {
            now = jobs.NextPass(0) > now ? jobs.NextPass(0) : now + TimeSpan.FromSeconds(1);
            if (Take(jobs, now, 0, store).Any(j => j.Kind == PublishJobKind.Rebootstrap))
            {
                attempts.Add(now - T0);
            }
        }

        var gaps = attempts.Zip(attempts.Skip(1), (a, b) => (b - a).TotalSeconds).ToList();
        Assert.Equal([5.0, 10, 20, 40, 80, 160, 300, 300], gaps.Take(8));

        Take(jobs, now + TimeSpan.FromMinutes(10), PublishJobs.MinContacts, store); // healthy again: backoff reset
        var later = now + TimeSpan.FromMinutes(20);
        Assert.Contains(Take(jobs, later, 0, store), j => j.Kind == PublishJobKind.Rebootstrap);
        Assert.Equal(later + PublishJobs.FirstBackoff, jobs.NextPass(0));
    }

    [Fact]
    public void A_due_rejoin_with_no_free_slot_is_postponed_not_left_due()
    {
        var jobs = new PublishJobs(Self, Options);
        var store = new MemoryRecordStore(Self);
        jobs.RememberSeeds([], [new IPEndPoint(IPAddress.Loopback, 4001)]);
        Assert.DoesNotContain(Take(jobs, T0, 0, store, slots: 0), j => j.Kind == PublishJobKind.Rebootstrap);
        Assert.True(jobs.NextPass(0) > T0); // a timer in the past would make the driver spin
        Assert.Contains(Take(jobs, jobs.NextPass(0), 0, store), j => j.Kind == PublishJobKind.Rebootstrap);
    }

    [Fact]
    public void Announcements_in_the_same_second_get_increasing_publication_times()
    {
        var jobs = new PublishJobs(Self, Options);
        var topic = NodeId.Hash("topic"u8);
        var first = jobs.NextPublicationTime(topic, T0);
        var second = jobs.NextPublicationTime(topic, T0.AddMilliseconds(10));
        Assert.Equal((ulong)T0.ToUnixTimeSeconds(), first);
        Assert.Equal(first + 1, second);
    }
}
