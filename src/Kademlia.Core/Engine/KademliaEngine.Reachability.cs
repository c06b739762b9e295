using System.Net;
using Kademlia.Engine.Internal;
using Kademlia.Identity;
using Kademlia.Routing;
using Kademlia.Wire;

namespace Kademlia.Engine;

/// <content>
/// The real internet: learning our public endpoint by vote, probing whether strangers reach us, client
/// mode and its keepalives. The state lives in <see cref="ExternalAddressVote"/>,
/// <see cref="ReachabilityProbes"/> and <see cref="AddressValidation"/>; this part routes between them.
/// </content>
public sealed partial class KademliaEngine
{
    /// <summary>Bit 6 of a request's type byte: the sender is a client; keep it out of routing tables.</summary>
    private const byte ClientFlag = 0x40;

    /// <summary>PROBEs served to one source: one per 10 s (burst 2), so no one can make a node spray dials.</summary>
    private const double ProbesPerSecondPerSource = 0.1;

    /// <summary>Dials one node sends for one forwarder: one per second (burst 5), so a forwarder cannot aim it at a victim for more than ~200 bytes a second.</summary>
    private const double DialsPerSecondPerForwarder = 1;

    /// <summary>Dials one node sends in all: 2 per second (burst 10), about 400 bytes a second at most.</summary>
    private const double DialsPerSecond = 2;

    /// <summary>Between address-discovery pings while the vote has no quorum.</summary>
    private static readonly TimeSpan AddressDiscoveryInterval = TimeSpan.FromSeconds(30);

    /// <summary>Between pings that keep the vote fresh once it has a result (a changed address is noticed).</summary>
    private static readonly TimeSpan AddressRecheckInterval = TimeSpan.FromMinutes(5);

    private static readonly IPEndPoint AllDials = new(IPAddress.Any, 0);

    /// <summary>A PONG's observed endpoint is one vote for our public endpoint.</summary>
    private void OnObservedEndpoint(DateTimeOffset now, IPEndPoint reporter, NodeEndpoint observed)
    {
        if (_externalAddress.Report(NodeEndpoint.FromIPEndPoint(reporter), observed))
        {
            _events.Enqueue(new ExternalAddressChanged(observed));
            _reachability.CheckSoon(now);
        }

        if (_externalAddress.Unsettled && _nextAddressCheck > now + AddressDiscoveryInterval)
        {
            // A peer sees us elsewhere: ask a few more now rather than at the next slow recheck.
            _nextAddressCheck = now + AddressDiscoveryInterval;
        }

        if (_externalAddress.LooksEndpointDependent && _reachability.Status != NodeReachability.Private)
        {
            _reachability.ConcludePrivate(now);
            _events.Enqueue(new ReachabilityChanged(_reachability.Status, IsClient));
        }
    }

    /// <summary>
    /// The periodic internet work: pings that feed the address vote, a reachability probe when due, and a
    /// client's keepalives.
    /// </summary>
    private void RunReachability(DateTimeOffset now)
    {
        if (_reachability.Expire(now))
        {
            _events.Enqueue(new ReachabilityChanged(_reachability.Status, IsClient));
        }

        if (_options.DiscoverReachability && Routing.Count > 0 && now >= _nextAddressCheck)
        {
            var unsettled = _externalAddress.Current is null || _externalAddress.Unsettled;
            var wanted = unsettled ? ExternalAddressVote.Quorum : 1;
            _nextAddressCheck = now + (unsettled ? AddressDiscoveryInterval : AddressRecheckInterval);
            foreach (var contact in Routing.FindClosest(NodeId.RandomInBucket(Self, 0, RandomSource()), Routing.Count))
            {
                if (wanted == 0)
                {
                    break;
                }

                if (!_externalAddress.HasVoted(contact.Endpoint))
                {
                    SendRequest(now, null, RequestPurpose.FireAndForget, QueryStep.Send(contact.ToNodeInfo(), new PingRequest(NewRequestId())));
                    wanted--;
                }
            }
        }

        if (_options.DiscoverReachability && _externalAddress.Current is not null && _reachability.IsDue(now))
        {
            StartProbe(now);
        }

        if (IsClient != _tableToldWeAreClient)
        {
            _tableToldWeAreClient = IsClient;
            if (IsClient)
            {
                TellTableWeAreClient(now);
            }
        }

        if (IsClient && now >= _nextKeepalive)
        {
            _nextKeepalive = now + _options.KeepaliveInterval;
            foreach (var contact in Routing.FindClosest(Self, _options.KeepalivePeers))
            {
                var key = new Sessions.PeerKey(contact.PublicKey.Span);
                if (_sessions.HasSession(key, now))
                {
                    SendKeepalive(now, key);
                }
                else
                {
                    SendRequest(now, null, RequestPurpose.FireAndForget, QueryStep.Send(contact.ToNodeInfo(), new PingRequest(NewRequestId())));
                }
            }
        }
    }

    /// <summary>
    /// A node that turns client (the vote shows it behind a NAT, or the probes find it private) may already
    /// sit in the tables of the peers it talked to while it looked reachable: before its address vote, a node
    /// bound to a LAN address advertises that address and is a server. Only a flagged request takes a client
    /// out of a table, and keepalives are not requests, so each contact of our table gets one flagged PING,
    /// once per change. Peers outside our table that still hold us drop us when their requests stop reaching
    /// us (our NAT forgets them) or at our next request to them.
    /// </summary>
    private void TellTableWeAreClient(DateTimeOffset now)
    {
        foreach (var contact in Routing.Contacts.ToList())
        {
            SendRequest(now, null, RequestPurpose.FireAndForget, QueryStep.Send(contact.ToNodeInfo(), new PingRequest(NewRequestId())));
        }
    }

    /// <summary>When the internet work next needs a timeout pass, or null when nothing can happen.</summary>
    private DateTimeOffset? NextReachabilityTimeout()
    {
        // A change of mode is acted on at once (see TellTableWeAreClient).
        DateTimeOffset? next = IsClient != _tableToldWeAreClient ? DateTimeOffset.MinValue : null;
        if (_options.DiscoverReachability && Routing.Count > 0)
        {
            next = Deadlines.Earliest(next, _nextAddressCheck);
        }

        if (_options.DiscoverReachability && _externalAddress.Current is not null && Routing.Count > 1)
        {
            next = Deadlines.Earliest(next, _reachability.NextDue);
        }

        return IsClient && Routing.Count > 0 ? Deadlines.Earliest(next, _nextKeepalive) : next;
    }

    private void StartProbe(DateTimeOffset now)
    {
        foreach (var contact in Routing.FindClosest(NodeId.RandomInBucket(Self, 0, RandomSource()), Routing.Count))
        {
            if (!_reachability.WasTried(contact.Id))
            {
                var probe = new ProbeRequest(NewRequestId());
                _reachability.Started(probe.RequestId, contact.ToNodeInfo(), now);
                SendRequest(now, null, RequestPurpose.FireAndForget, QueryStep.Send(contact.ToNodeInfo(), probe));
                return;
            }
        }

        _reachability.Postpone(now);
    }

    /// <summary>A helper's answer about our PROBE.</summary>
    private void OnProbeAnswered(DateTimeOffset now, ulong probe, ProbeStatus status) =>
        _reachability.Acknowledged(probe, status == ProbeStatus.Forwarded, now);

    /// <summary>Serves PROBE, PROBE_FORWARD and PROBE_DIAL; null for any other request.</summary>
    private Message? ServeReachability(DateTimeOffset now, NodeInfo peer, IPEndPoint from, Message request) => request switch
    {
        ProbeRequest probe => ServeProbe(now, peer, from, probe),
        ProbeForwardRequest forward => ServeProbeForward(now, from, forward),
        ProbeDialRequest dial => ServeProbeDial(now, from, dial),
        _ => null,
    };

    /// <summary>
    /// As the helper: ask another node, outside the asker's prefix, to dial the asker at the endpoint we
    /// observe it at. The asker cannot name the target, so a probe can only ever reach the asker.
    /// </summary>
    private ProbeAckResponse ServeProbe(DateTimeOffset now, NodeInfo asker, IPEndPoint from, ProbeRequest probe)
    {
        if (!_probeLimiter.TryTake(from, now))
        {
            return new ProbeAckResponse(probe.RequestId, ProbeStatus.RateLimited);
        }

        // The dialer must be a stranger to the asker. The asker talks most to the nodes closest to its own
        // ID (its keepalives, its refreshes), so the farther contacts we know are the likeliest strangers:
        // one of the farther half, at random, so that an asker that knows one of them (its dial proves
        // nothing) gets another dialer when it asks again.
        var observed = NodeEndpoint.FromIPEndPoint(from);
        var loopbackPerEndpoint = _options.Network.ExemptLoopbackFromDiversityLimits;
        var askerPrefix = observed.PrefixKey(loopbackPerEndpoint);
        var eligible = Routing.FindClosest(asker.Id, Routing.Count)
            .Where(contact => contact.Id != asker.Id && contact.Endpoint.PrefixKey(loopbackPerEndpoint) != askerPrefix)
            .ToList();
        if (eligible.Count > 0)
        {
            var farther = eligible.Count / 2;
            var dialer = eligible[farther + RandomSource().Next(eligible.Count - farther)];
            var target = WireContact.FromNodeInfo(new NodeInfo(asker.Id, asker.PublicKey, asker.PowNonce, observed));
            SendRequest(now, null, RequestPurpose.FireAndForget, QueryStep.Send(dialer.ToNodeInfo(), new ProbeForwardRequest(NewRequestId(), probe.RequestId, target)));
            return new ProbeAckResponse(probe.RequestId, ProbeStatus.Forwarded);
        }

        return new ProbeAckResponse(probe.RequestId, ProbeStatus.NoCandidate);
    }

    /// <summary>As the dialer: one small IK initiation to the asker, within per-forwarder and global limits.</summary>
    private ProbeAckResponse ServeProbeForward(DateTimeOffset now, IPEndPoint from, ProbeForwardRequest forward)
    {
        var asker = forward.Asker.ToNodeInfo();
        if (asker.Endpoint.IsUnspecified || !asker.MeetsProofOfWork(_options.Network))
        {
            _drops.Count(EngineDropReason.InvalidAnswer);
            return new ProbeAckResponse(forward.RequestId, ProbeStatus.RateLimited);
        }

        if (!_forwarderLimiter.TryTake(from, now) || !_dialLimiter.TryTake(AllDials, now))
        {
            return new ProbeAckResponse(forward.RequestId, ProbeStatus.RateLimited);
        }

        SendRequest(now, null, RequestPurpose.FireAndForget, QueryStep.Send(asker, new ProbeDialRequest(NewRequestId(), forward.Nonce)));
        return new ProbeAckResponse(forward.RequestId, ProbeStatus.Dialing);
    }

    /// <summary>As the asker: a dial that proves strangers reach us, if it comes from an address we never sent to.</summary>
    private ProbeAckResponse ServeProbeDial(DateTimeOffset now, IPEndPoint from, ProbeDialRequest dial)
    {
        var before = _reachability.Status;
        var wasClient = IsClient;
        if (_reachability.Dialed(dial.Nonce, NodeEndpoint.FromIPEndPoint(from), _addresses.HasContacted(from), _options.Network.ExemptLoopbackFromDiversityLimits, now)
            && (before != _reachability.Status || wasClient != IsClient))
        {
            _events.Enqueue(new ReachabilityChanged(_reachability.Status, IsClient));
        }

        return new ProbeAckResponse(dial.RequestId, ProbeStatus.Received);
    }

    private Random RandomSource() => _random ?? new Random((int)NewRequestId());
}
