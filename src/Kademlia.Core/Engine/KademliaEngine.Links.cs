using System.Collections.Immutable;
using System.Net;
using Kademlia.Engine.Internal;
using Kademlia.Routing;
using Kademlia.Sessions;
using Kademlia.Wire;

namespace Kademlia.Engine;

/// <content>
/// Kept paths (docs/PROTOCOL.md, "Kept paths"): the peers an application talks to, whose path the engine
/// watches, keeps open, repairs after a NAT rebinding and moves off a relay when a later punch gets through.
/// The state lives in <see cref="PeerLinks"/>; this part acts on it.
/// </content>
public sealed partial class KademliaEngine
{
    /// <summary>How often the kept paths are looked at while there are any.</summary>
    private static readonly TimeSpan LinkCheckInterval = TimeSpan.FromMilliseconds(250);

    private readonly PeerLinks _links = new();
    private DateTimeOffset _nextLinkCheck = DateTimeOffset.MaxValue;

    /// <summary>
    /// Keeps the path to <paramref name="peer"/> (which <see cref="Connect(DateTimeOffset, NodeInfo, ImmutableArray{WireContact}, bool)"/>
    /// opened, or which reached us): pings it when the path has been quiet (which also keeps the NATs' mappings
    /// open), punches again through its <paramref name="rendezvous"/> points when the path goes dead (a NAT
    /// rebinding) or, with backoff, while it is relayed, and reports every change of path as a
    /// <see cref="PeerPathChanged"/>. Kept until <see cref="DropLink"/>, or until the peer has been silent
    /// for two minutes (reported as <see cref="PeerPath.None"/>).
    /// </summary>
    /// <param name="now">The time.</param>
    /// <param name="peer">The peer.</param>
    /// <param name="rendezvous">The peer's rendezvous points, from its provider record; none for a reachable peer, or one we cannot punch to (the side that was punched to).</param>
    /// <returns>False when too many paths are kept already (256).</returns>
    public bool KeepLink(DateTimeOffset now, NodeInfo peer, ImmutableArray<WireContact> rendezvous = default)
    {
        _lastNow = now;
        if (!_links.TryAdd(new PeerLink(peer, rendezvous, now, PathTo(peer, now)), out _))
        {
            return false;
        }

        _nextLinkCheck = now + LinkCheckInterval;
        return true;
    }

    /// <summary>Stops keeping the path to <paramref name="peer"/>; false when it was not kept.</summary>
    public bool DropLink(NodeInfo peer)
    {
        if (!_links.Remove(new PeerKey(peer.PublicKey.Span), out var punch))
        {
            return false;
        }

        if (punch is { } running)
        {
            Cancel(running);
        }

        return true;
    }

    /// <summary>An authenticated packet came from <paramref name="key"/> at <paramref name="from"/>.</summary>
    private void OnHeard(DateTimeOffset now, PeerKey key, EndPoint? from)
    {
        if (_links.Count == 0 || key.IsEmpty || !_links.TryGet(key, out var link))
        {
            return;
        }

        link.Heard(now, from is not null && !RelayPaths.IsRelayed(from));
        ReportPath(now, link);
    }

    /// <summary>The application sent <paramref name="peer"/> something; <paramref name="expectsTraffic"/> when silence afterwards is suspect.</summary>
    private void OnAppSent(DateTimeOffset now, NodeInfo peer, bool expectsTraffic)
    {
        if (_links.Count > 0 && _links.TryGet(new PeerKey(peer.PublicKey.Span), out var link))
        {
            link.Sent(now, expectsTraffic);
        }
    }

    /// <summary>Reports the path to a kept peer when it is not the one last reported.</summary>
    private void ReportPath(DateTimeOffset now, PeerLink link)
    {
        var path = PathTo(link.Peer, now);
        if (path == link.Reported)
        {
            return;
        }

        if (link.Reported == PeerPath.Relayed && path == PeerPath.Direct)
        {
            _links.Upgrades++;
        }

        if (path == PeerPath.Relayed)
        {
            link.UpgradeAttempts = 0;
            link.NextUpgrade = now + PeerLinks.FirstUpgradeDelay;
        }

        link.Reported = path;
        _events.Enqueue(new PeerPathChanged(link.Peer, path));
    }

    /// <summary>The periodic look at the kept paths: give up, repair, leave a relay, or ping.</summary>
    private void RunLinks(DateTimeOffset now)
    {
        if (_links.Count == 0)
        {
            _nextLinkCheck = DateTimeOffset.MaxValue;
            return;
        }

        if (now < _nextLinkCheck)
        {
            return;
        }

        _nextLinkCheck = now + LinkCheckInterval;
        foreach (var link in _links.All())
        {
            ReportPath(now, link);
            if (now - link.LastHeard >= PeerLinks.GiveUpAfter)
            {
                DropLink(link.Peer);
                if (link.Reported != PeerPath.None)
                {
                    _events.Enqueue(new PeerPathChanged(link.Peer, PeerPath.None));
                }

                continue;
            }

            if (link.Punch is not null)
            {
                continue;
            }

            // No session (a path kept before the peer's first packet arrived) is dead once that is overdue.
            var dead = (link.Reported == PeerPath.None && now - link.LastHeard >= PeerLinks.DeadAfter)
                || (link.UnansweredSince is { } since && now - since >= PeerLinks.DeadAfter);
            if (dead)
            {
                RepairLink(now, link);
                continue;
            }

            if (link.Reported == PeerPath.Relayed && link.CanPunch && link.UpgradeAttempts < PeerLinks.MaxUpgradeAttempts && now >= link.NextUpgrade)
            {
                link.NextUpgrade = now + PeerLinks.UpgradeDelay(link.UpgradeAttempts++);
                StartLinkPunch(now, link, repairing: false);
                continue;
            }

            var checking = link.UnansweredSince is { } unanswered && now - unanswered >= PeerLinks.AnswerWait;
            var quiet = now - link.LastHeard >= PeerLinks.PingInterval || now - link.LastSent >= PeerLinks.PingInterval;
            if ((checking || quiet) && now - link.LastPing >= PeerLinks.AnswerWait)
            {
                SendLinkPing(now, link);
            }
        }
    }

    /// <summary>
    /// A dead path: a client first tells its rendezvous points where it is now (its own mapping may be the one
    /// that changed), then the peer is punched again, with backoff; a peer that cannot be punched is pinged.
    /// </summary>
    private void RepairLink(DateTimeOffset now, PeerLink link)
    {
        if (IsClient && !link.ToldRendezvous)
        {
            link.ToldRendezvous = true;
            _nextKeepalive = now;
        }

        if (now < link.NextRepair)
        {
            return;
        }

        link.NextRepair = now + PeerLinks.RepairDelay(link.FailedRepairs);
        if (link.CanPunch || (!_sessions.HasSession(link.Key, now) && HasOwnEndpoint(link.Peer)))
        {
            StartLinkPunch(now, link, repairing: true);
        }
        else
        {
            link.FailedRepairs++;
            SendLinkPing(now, link);
        }
    }

    private static bool HasOwnEndpoint(NodeInfo peer) => !peer.Endpoint.IsUnspecified && !RelayPaths.IsRelayed(peer.Endpoint.ToIPEndPoint());

    private void StartLinkPunch(DateTimeOffset now, PeerLink link, bool repairing)
    {
        var query = new ConnectQuery(NextQueryId(), now, this, this, link.Peer, link.Rendezvous, punchAgain: true) { Reported = false };
        _links.PunchStarted(link, query.Id, now, repairing);
        Start(now, query);
    }

    /// <summary>
    /// A punch of a kept path finished. One that repaired nothing (no packet came straight from the peer while
    /// it ran) leaves a direct session pointing at a mapping that is gone: it falls back to a relay.
    /// </summary>
    private void OnLinkPunchFinished(DateTimeOffset now, ConnectQuery query)
    {
        if (!_links.TryTakePunch(query.Id, out var link))
        {
            return;
        }

        var result = (ConnectResult)query.BuildResult(now);
        var heardDirect = link.LastHeardDirect >= link.PunchStarted;
        if (link.Repairing && link.LastHeard < link.PunchStarted)
        {
            link.FailedRepairs++;
        }

        if (link.Repairing && !heardDirect && link.CanPunch && PathTo(link.Peer, now) == PeerPath.Direct)
        {
            var relay = result.Rendezvous ?? link.Rendezvous[0].ToNodeInfo();
            if (_sessions.MoveTo(link.Key, _relayPaths.EndPointFor(relay, link.Peer.Id)))
            {
                SendLinkPing(now, link);
            }
        }

        ReportPath(now, link);
    }

    private void SendLinkPing(DateTimeOffset now, PeerLink link)
    {
        if (!_sessions.HasSession(link.Key, now) && !HasOwnEndpoint(link.Peer))
        {
            return; // nowhere to send it: only a punch or the peer can open a session again
        }

        link.LastPing = now;
        link.Sent(now, expectsTraffic: true);
        SendRequest(now, null, RequestPurpose.FireAndForget, QueryStep.Send(link.Peer, new PingRequest(NewRequestId()), timeout: PeerLinks.DeadAfter));
    }
}
