using Kademlia.Engine.Internal;
using Kademlia.Identity;
using Kademlia.Routing;
using Kademlia.Wire;

namespace Kademlia.Engine;

/// <content>Time: request deadlines, query wake-ups, session timers and periodic maintenance.</content>
public sealed partial class KademliaEngine
{
    /// <summary>Most maintenance lookups (bucket refresh, republish) running at once.</summary>
    private const int MaxMaintenanceQueries = 8;

    /// <summary>Processes everything due at <paramref name="now"/>.</summary>
    public void HandleTimeout(DateTimeOffset now)
    {
        _sessions.HandleTimeout(now);
        DrainSessions();
        _sessions.UnderLoad = false;

        List<PendingRequest>? expired = null;
        foreach (var pending in _pending.Values)
        {
            if (pending.Deadline <= now)
            {
                (expired ??= []).Add(pending);
            }
        }

        foreach (var pending in expired ?? [])
        {
            _pending.Remove(pending.RequestId);
            _timeouts++;
            RequestFailed(now, pending);
        }

        foreach (var (id, wake) in _wakeAt.ToList())
        {
            if (wake is { } at && at <= now && _queries.TryGetValue(id, out var query))
            {
                Drive(now, query);
            }
        }
        if (now >= _nextMaintenance)
        {
            _nextMaintenance = now + _options.MaintenanceInterval;
            Maintain(now);
        }
    }

    /// <summary>When <see cref="HandleTimeout"/> should next be called, or null when nothing is scheduled.</summary>
    public DateTimeOffset? NextTimeout()
    {
        // Maintenance is always scheduled (the first pass is due at once), so expiry and republish
        // run even on a node nobody talks to.
        DateTimeOffset? next = _nextMaintenance;
        next = Earliest(next, _sessions.NextTimeout());
        foreach (var pending in _pending.Values)
        {
            next = Earliest(next, pending.Deadline);
        }

        foreach (var wake in _wakeAt.Values)
        {
            next = Earliest(next, wake);
        }

        return next;
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private void RequestFailed(DateTimeOffset now, PendingRequest pending)
    {
        if (pending.Peer is { } peer)
        {
            var evicted = pending.Purpose == RequestPurpose.Liveness
                ? Routing.LivenessCheckFailed(peer, now)
                : Routing.RecordFailure(peer, now);
            _livenessChecks.Remove(peer);
            if (evicted is not null)
            {
                _events.Enqueue(new ContactEvicted(evicted));
            }
        }

        if (pending.Owner is { } owner && _queries.TryGetValue(owner, out var query))
        {
            query.OnFailure(pending.Peer ?? default, pending.RequestId, now);
            Drive(now, query);
        }
    }

    /// <summary>Values handed to one newcomer at most, so a join never triggers a storm.</summary>
    private const int MaxReplicatedPerNewcomer = 64;

    /// <summary>
    /// The paper's rule for joins: a node that just entered our table receives the values we hold for
    /// which it is now among the k closest we know, so replicas follow the k closest as they change.
    /// </summary>
    private void ReplicateTo(DateTimeOffset now, NodeInfo newcomer)
    {
        var sent = 0;
        var ttl = (uint)_options.Network.RecordTtl.TotalSeconds;
        foreach (var stored in Store.Values(now))
        {
            var key = stored.Record.Key;
            var closest = Routing.FindClosest(key, _options.Network.K);
            var isAmongClosest = closest.Length < _options.Network.K || key.CompareDistance(newcomer.Id, closest[^1].Id) <= 0;
            if (!isAmongClosest)
            {
                continue;
            }

            SendRequest(now, null, RequestPurpose.FireAndForget, QueryStep.Send(newcomer, new PutRequest(NewRequestId(), stored.Record, ttl)));
            if (++sent == MaxReplicatedPerNewcomer)
            {
                return;
            }
        }
    }

    /// <summary>Expiry, republishing of our own records and refresh of buckets nobody looked up lately.</summary>
    private void Maintain(DateTimeOffset now)
    {
        var expired = Store.RemoveExpired(now);
        if (expired.Count > 0)
        {
            _events.Enqueue(new RecordsExpired(expired));
        }

        var running = _queries.Values.Count(q => !q.Reported);
        foreach (var (key, own) in _ownRecords.ToList())
        {
            if (own.NextRepublish > now || running >= MaxMaintenanceQueries)
            {
                continue;
            }

            _ownRecords[key] = own with { NextRepublish = now + _options.Network.RepublishInterval };
            running++;
            if (own.Value is { } value)
            {
                Store.Put(value, Self, now, now + _options.Network.RecordTtl);
                StartStore(now, value, null, reported: false);
            }
            else
            {
                StartAnnounce(now, own.Topic, own.ApplicationData ?? [], reported: false);
            }
        }

        if (Routing.Count == 0)
        {
            return;
        }

        foreach (var bucket in Routing.BucketsDueForRefresh(now))
        {
            if (running++ >= MaxMaintenanceQueries)
            {
                break;
            }

            var target = NodeId.RandomInBucket(Self, bucket, _random ?? new Random((int)NewRequestId()));
            Start(now, id => new FindNodeQuery(id, now, this, target) { Reported = false });
        }
    }
}
