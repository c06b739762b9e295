using System.Net;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Routing;

namespace Kademlia.Engine.Internal;

/// <summary>
/// The periodic work of a node, in one place: republishing its own records and announcements,
/// re-replicating what it holds for others, and joining again when its table empties. It decides what
/// is due; the engine starts the queries.
/// </summary>
/// <remarks>
/// <para><b>Republish</b> (the publisher's duty): our own values and topics every
/// <see cref="NetworkParameters.RepublishInterval"/>, with a full TTL, so they outlive their publisher
/// only by one TTL.</para>
/// <para><b>Re-replication</b> (the paper's hourly rule, §2.5): every
/// <see cref="NetworkParameters.ReplicationInterval"/> each value held for others is stored again on the
/// k closest nodes known now, so that replicas follow the k closest as nodes leave and join. It carries
/// the record's <em>remaining</em> lifetime, never a new one, so replicas cannot keep a record alive
/// after its publisher stopped refreshing it. As in the paper, a value stored or refreshed during the last
/// interval is skipped: whoever refreshed it has just replicated it.</para>
/// <para><b>Re-bootstrap</b>: a table holding fewer than <see cref="MinContacts"/> contacts joins again
/// from the seeds of the last bootstrap, with an exponential backoff from <see cref="FirstBackoff"/> to
/// <see cref="MaxBackoff"/>, reset once the table is healthy.</para>
/// <para>At most <see cref="MaxMaintenanceQueries"/> of these run at once (counted by the engine);
/// what does not fit waits for the next pass, in order.</para>
/// </remarks>
internal sealed class PublishJobs(NodeId self, EngineOptions options)
{
    /// <summary>Most maintenance queries (republish, replication, bucket refresh, re-bootstrap) at once.</summary>
    public const int MaxMaintenanceQueries = 8;

    /// <summary>
    /// Below this many contacts the node joins again. In a network of three nodes or fewer this repeats
    /// at the longest backoff, which costs a PING and a lookup every <see cref="MaxBackoff"/>.
    /// </summary>
    public const int MinContacts = 3;

    /// <summary>The first wait between two re-bootstrap attempts.</summary>
    public static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between two re-bootstrap attempts.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

    private readonly Dictionary<NodeId, OwnRecord> _own = [];
    private readonly Dictionary<NodeId, ulong> _lastAnnounced = [];
    private readonly Queue<NodeId> _toReplicate = new();
    private readonly List<NodeId> _due = [];
    private NodeInfo[] _seeds = [];
    private EndPoint[] _seedAddresses = [];
    private DateTimeOffset _nextPass = DateTimeOffset.MinValue;
    private DateTimeOffset _nextReplication = DateTimeOffset.MinValue;
    private DateTimeOffset _nextRebootstrap = DateTimeOffset.MinValue;
    private TimeSpan _backoff = FirstBackoff;

    /// <summary>Our own values and topics being republished.</summary>
    public int OwnCount => _own.Count;

    /// <summary>Values waiting for their turn to be re-replicated.</summary>
    public int ReplicationBacklog => _toReplicate.Count;

    /// <summary>The seeds a re-bootstrap would use.</summary>
    public IReadOnlyList<NodeInfo> Seeds => _seeds;

    /// <summary>The seed addresses (no key known) a re-bootstrap would use.</summary>
    public IReadOnlyList<EndPoint> SeedAddresses => _seedAddresses;

    /// <summary>When the next maintenance pass is due (the first one at once).</summary>
    public DateTimeOffset NextPass(int routingCount) =>
        routingCount < MinContacts && HasSeeds && _nextRebootstrap < _nextPass ? _nextRebootstrap : _nextPass;

    private bool HasSeeds => _seeds.Length > 0 || _seedAddresses.Length > 0;

    /// <summary>Keeps republishing <paramref name="record"/> until <see cref="Unpublish"/>.</summary>
    public void Publish(ValueRecord record, DateTimeOffset now) =>
        _own[record.Key] = new OwnRecord(record, null, now + options.Network.RepublishInterval);

    /// <summary>Keeps announcing <paramref name="topic"/> until <see cref="Unpublish"/>.</summary>
    public void Announce(NodeId topic, byte[] applicationData, DateTimeOffset now) =>
        _own[topic] = new OwnRecord(null, applicationData, now + options.Network.RepublishInterval);

    /// <summary>Stops republishing a record or announcement.</summary>
    public bool Unpublish(NodeId keyOrTopic) => _own.Remove(keyOrTopic);

    /// <summary>Our values and announcements with their next republish times, for a host to save.</summary>
    public IReadOnlyList<PublishedRecord> Snapshot()
    {
        var list = new List<PublishedRecord>(_own.Count);
        foreach (var (key, own) in _own)
        {
            list.Add(own.Value is { } value
                ? PublishedRecord.ForValue(value, own.NextRepublish)
                : PublishedRecord.ForAnnouncement(key, own.ApplicationData, own.NextRepublish));
        }

        return list;
    }

    /// <summary>
    /// Takes back a saved record or announcement, keeping its republish time. One published since the
    /// start wins over the saved copy: it is newer. Returns false when it was kept.
    /// </summary>
    public bool Restore(PublishedRecord published) =>
        _own.TryAdd(published.Key, new OwnRecord(published.Value, published.Value is null ? published.ApplicationDataArray : null, published.NextRepublish));

    /// <summary>
    /// The publication time (whole Unix seconds) of a new announcement of <paramref name="topic"/>: stores
    /// keep the provider record with the latest time, so one made within the same second as the last
    /// must still carry a later time to replace it.
    /// </summary>
    public ulong NextPublicationTime(NodeId topic, DateTimeOffset now)
    {
        var published = (ulong)now.ToUnixTimeSeconds();
        if (_lastAnnounced.TryGetValue(topic, out var last) && published <= last)
        {
            published = last + 1;
        }

        _lastAnnounced[topic] = published;
        return published;
    }

    /// <summary>Remembers the seeds of a bootstrap, for joining again later.</summary>
    public void RememberSeeds(IEnumerable<NodeInfo> seeds, IEnumerable<EndPoint> addresses)
    {
        var known = seeds.ToArray();
        var unkeyed = addresses.ToArray();
        if (known.Length > 0 || unkeyed.Length > 0)
        {
            _seeds = known;
            _seedAddresses = unkeyed;
        }
    }

    /// <summary>
    /// Adds the work due at <paramref name="now"/> to <paramref name="jobs"/>, at most
    /// <paramref name="slots"/> queries. Returns false when no maintenance pass is due.
    /// </summary>
    /// <remarks>
    /// Republishing waits while the table is empty (a restarted node before its join: a store query
    /// would reach nobody and the next try would be one interval later), and announcements wait while
    /// <paramref name="canAnnounce"/> is false (no endpoint known to put in the provider record).
    /// </remarks>
    public bool TakeDue(DateTimeOffset now, int routingCount, bool canAnnounce, IRecordStore store, int slots, List<PublishJob> jobs)
    {
        var rebootstrapDue = routingCount < MinContacts && HasSeeds && now >= _nextRebootstrap;
        if (now < _nextPass && !rebootstrapDue)
        {
            return false;
        }

        if (routingCount >= MinContacts)
        {
            _backoff = FirstBackoff;
        }
        else if (rebootstrapDue && slots <= 0)
        {
            // Every maintenance slot is busy: look again shortly rather than at once, so nobody spins.
            _nextRebootstrap = now + FirstBackoff;
        }
        else if (rebootstrapDue)
        {
            jobs.Add(new PublishJob(PublishJobKind.Rebootstrap, self, null, null, TimeSpan.Zero));
            slots--;
            _nextRebootstrap = now + _backoff;
            _backoff = _backoff * 2 > MaxBackoff ? MaxBackoff : _backoff * 2;
        }

        if (now < _nextPass)
        {
            return true;
        }

        _nextPass = now + options.MaintenanceInterval;
        if (routingCount > 0)
        {
            slots = TakeRepublish(now, canAnnounce, slots, jobs);
        }

        TakeReplication(now, store, slots, jobs);
        return true;
    }

    private int TakeRepublish(DateTimeOffset now, bool canAnnounce, int slots, List<PublishJob> jobs)
    {
        _due.Clear();
        foreach (var (key, own) in _own)
        {
            if (_due.Count == slots)
            {
                break;
            }

            if (own.NextRepublish <= now && (own.Value is not null || canAnnounce))
            {
                _due.Add(key);
            }
        }

        foreach (var key in _due)
        {
            var own = _own[key];
            _own[key] = own with { NextRepublish = now + options.Network.RepublishInterval };
            jobs.Add(own.Value is { } value
                ? new PublishJob(PublishJobKind.Republish, key, value, null, options.Network.RecordTtl)
                : new PublishJob(PublishJobKind.Reannounce, key, null, own.ApplicationData, options.Network.RecordTtl));
        }

        return slots - _due.Count;
    }

    private void TakeReplication(DateTimeOffset now, IRecordStore store, int slots, List<PublishJob> jobs)
    {
        if (now >= _nextReplication && _toReplicate.Count == 0)
        {
            _nextReplication = now + options.Network.ReplicationInterval;
            var refreshedAfter = now + options.Network.RecordTtl - options.Network.ReplicationInterval;
            foreach (var stored in store.Values(now))
            {
                // Our own records are republished; one refreshed during the last interval was just replicated.
                if (stored.Source.Id != self && !_own.ContainsKey(stored.Record.Key) && stored.ExpiresAt <= refreshedAfter)
                {
                    _toReplicate.Enqueue(stored.Record.Key);
                }
            }
        }

        while (slots > 0 && _toReplicate.TryDequeue(out var key))
        {
            if (store.Get(key, now) is { } stored)
            {
                jobs.Add(new PublishJob(PublishJobKind.Replicate, key, stored.Record, null, stored.ExpiresAt - now));
                slots--;
            }
        }
    }

    /// <summary>A record or announcement of ours and when it is next republished.</summary>
    private sealed record OwnRecord(ValueRecord? Value, byte[]? ApplicationData, DateTimeOffset NextRepublish);
}
