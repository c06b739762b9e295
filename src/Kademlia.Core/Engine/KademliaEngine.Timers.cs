using Kademlia.Engine.Internal;
using Kademlia.Identity;
using Kademlia.Routing;
using Kademlia.Wire;

namespace Kademlia.Engine;

/// <content>Time: request deadlines, query wake-ups, session timers and the periodic jobs.</content>
public sealed partial class KademliaEngine
{
    /// <summary>Processes everything due at <paramref name="now"/>.</summary>
    public void HandleTimeout(DateTimeOffset now)
    {
        _lastNow = now;
        _sessions.HandleTimeout(now);
        DrainSessions();
        UpdateLoad(now);

        while (_requests.TryTakeExpired(now, out var expired))
        {
            _timeouts++;
            if (!expired.Key.IsEmpty)
            {
                // Nobody waits for an answer any more: the session layer must not keep retrying the
                // handshake for 90 s (a contact a third party named would get a burst of initiations).
                _sessions.AbandonInitiation(expired.Key);
            }

            RequestFailed(now, expired);
        }

        // Each due query is driven once per pass, even if it asks to be woken at once again.
        _dueQueries.Clear();
        while (_wakeups.TryTakeDue(now, out var due))
        {
            _dueQueries.Add(due);
        }

        foreach (var id in _dueQueries)
        {
            if (_queries.TryGetValue(id, out var query))
            {
                Drive(now, query);
            }
        }

        RunJobs(now);
        RunLinks(now);
        RunReachability(now);
        RunPunches(now);
    }

    /// <summary>When <see cref="HandleTimeout"/> should next be called, or null when nothing is scheduled.</summary>
    public DateTimeOffset? NextTimeout()
    {
        // The periodic jobs are always scheduled (the first pass is due at once), so expiry and
        // republish run even on a node nobody talks to.
        DateTimeOffset? next = _jobs.NextPass(Routing.Count);
        next = Deadlines.Earliest(next, _sessions.NextTimeout());
        next = Deadlines.Earliest(next, _requests.NextDeadline());
        next = Deadlines.Earliest(next, NextReachabilityTimeout());
        next = Deadlines.Earliest(next, _load.NextTimeout());
        next = Deadlines.Earliest(next, _punches.NextTimeout());
        next = Deadlines.Earliest(next, _links.Count > 0 ? _nextLinkCheck : null);
        return Deadlines.Earliest(next, _wakeups.Next());
    }

    private void UpdateLoad(DateTimeOffset now) =>
        _sessions.UnderLoad = _load.Update(now, (double)_sessions.ResponderPendingCount / _sessions.ResponderPendingCapacity);

    private void RequestFailed(DateTimeOffset now, PendingRequest pending)
    {
        if (pending.Type == MessageType.AppDatagram)
        {
            // It waited for a session that never opened, or found too many waiting: no one else will know.
            _drops.Count(EngineDropReason.AppDatagramNotSent);
        }

        // An app request's silence is its application's, not the node's: no failure against the table.
        if (pending.Peer is { } peer && pending.Purpose != RequestPurpose.Application)
        {
            var evicted = pending.Purpose == RequestPurpose.Liveness
                ? Routing.LivenessCheckFailed(peer, now)
                : Routing.RecordFailure(peer, now);
            _requests.EndLivenessCheck(peer);
            if (evicted is not null)
            {
                _events.Enqueue(new ContactEvicted(Snapshot(evicted)));
            }
        }

        if (pending.Type == MessageType.Probe)
        {
            _reachability.Failed(pending.RequestId, now);
        }

        _pathChallenges.Remove(pending.RequestId);

        if (pending.Owner is { } owner && _queries.TryGetValue(owner, out var query))
        {
            if (pending.Peer is { } asked)
            {
                ReportStep(query, asked, pending.Type, rtt: null);
            }

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
        foreach (var stored in Store.Values(now))
        {
            var key = stored.Record.Key;
            var closest = Routing.FindClosest(key, _options.Network.K);
            var isAmongClosest = closest.Length < _options.Network.K || key.CompareDistance(newcomer.Id, closest[^1].Id) <= 0;
            if (!isAmongClosest)
            {
                continue;
            }

            // The remaining lifetime, never a fresh one: a replica must not outlive its publisher's TTL.
            var ttl = (uint)Math.Max(1, (stored.ExpiresAt - now).TotalSeconds);
            SendRequest(now, null, RequestPurpose.FireAndForget, QueryStep.Send(newcomer, new PutRequest(NewRequestId(), stored.Record, ttl)));
            if (++sent == MaxReplicatedPerNewcomer)
            {
                return;
            }
        }
    }

    /// <summary>Expiry, then the periodic jobs that are due, then the refresh of buckets nobody looked up lately.</summary>
    private void RunJobs(DateTimeOffset now)
    {
        var running = 0;
        foreach (var query in _queries.Values)
        {
            if (!query.Reported)
            {
                running++;
            }
        }

        _dueJobs.Clear();
        if (!_jobs.TakeDue(now, Routing.Count, !ReachableEndpoint.IsUnspecified, Store, PublishJobs.MaxMaintenanceQueries - running, _dueJobs))
        {
            return;
        }

        var expired = Store.RemoveExpired(now);
        if (expired.Count > 0)
        {
            _events.Enqueue(new RecordsExpired(expired));
        }

        var republished = false;
        foreach (var job in _dueJobs)
        {
            running++;
            republished |= job.Kind is PublishJobKind.Republish or PublishJobKind.Reannounce;
            switch (job.Kind)
            {
                case PublishJobKind.Republish:
                    Store.Put(job.Record!, Self, now, now + job.Ttl);
                    StartStore(now, job.Record!, null, job.Ttl, reported: false);
                    break;
                case PublishJobKind.Replicate:
                    StartStore(now, job.Record!, null, job.Ttl, reported: false);
                    break;
                case PublishJobKind.Reannounce:
                    StartAnnounce(now, job.Key, job.ApplicationData ?? [], reported: false);
                    break;
                case PublishJobKind.Rebootstrap when _rebootstrap is not { } current || !_queries.ContainsKey(current):
                    _rebootstrap = Start(now, id => new BootstrapQuery(id, now, this, _jobs.Seeds, _jobs.SeedAddresses, _random ?? new Random((int)NewRequestId())) { Reported = false });
                    _events.Enqueue(new Rebootstrapping(Routing.Count));
                    break;
            }
        }

        if (republished)
        {
            _events.Enqueue(new PublishedChanged(_jobs.OwnCount)); // new republish times
        }

        if (Routing.Count == 0)
        {
            return;
        }

        foreach (var bucket in Routing.BucketsDueForRefresh(now))
        {
            if (running++ >= PublishJobs.MaxMaintenanceQueries)
            {
                break;
            }

            var target = NodeId.RandomInBucket(Self, bucket, _random ?? new Random((int)NewRequestId()));
            Start(now, id => new FindNodeQuery(id, now, this, target) { Reported = false });
        }
    }
}
