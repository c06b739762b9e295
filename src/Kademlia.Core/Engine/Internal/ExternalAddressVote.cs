using Kademlia.Routing;

namespace Kademlia.Engine.Internal;

/// <summary>
/// Learns this node's public endpoint from the endpoints its peers observe (the PONG field), by a vote as
/// discv5 does: the last <see cref="Window"/> reports, one per reporter prefix (/24 for IPv4, /48 for IPv6),
/// and an endpoint is adopted once <see cref="Quorum"/> prefixes agree on it and it leads the window.
/// </summary>
/// <remarks>
/// Why 3 of 10: one prefix (one attacker, one NAT'd office) holds at most one vote, so moving the address
/// takes three independent networks; a window of ten lets a real change (a new DHCP lease, a NAT that
/// rebinds) win within a few answers while stale reports age out. On test networks, where every node is
/// on loopback, each loopback endpoint counts as its own prefix.
/// </remarks>
internal sealed class ExternalAddressVote(bool loopbackPerEndpoint)
{
    /// <summary>Reports kept: the most recent, at most one per reporter prefix.</summary>
    public const int Window = 10;

    /// <summary>Distinct prefixes that must agree before an endpoint is adopted.</summary>
    public const int Quorum = 3;

    private readonly List<(ulong Voter, NodeEndpoint Observed)> _votes = new(Window);

    /// <summary>The adopted endpoint, or null until a quorum agreed.</summary>
    public NodeEndpoint? Current { get; private set; }

    /// <summary>Reports in the window.</summary>
    public int Votes => _votes.Count;

    /// <summary>True when the latest report disagreed with <see cref="Current"/> (or none is agreed yet): time to ask more peers.</summary>
    public bool Unsettled { get; private set; } = true;

    /// <summary>
    /// True when peers in distinct prefixes see one IP at a different port each and no endpoint has two
    /// votes: the NAT maps each destination to a port of its own (endpoint-dependent mapping, "symmetric"),
    /// so no endpoint can ever be agreed and nobody can reach this node unsolicited.
    /// </summary>
    public bool LooksEndpointDependent
    {
        get
        {
            if (_votes.Count < Quorum || Current is not null)
            {
                return false;
            }

            var latest = _votes[^1].Observed;
            var sameAddress = 0;
            foreach (var (_, observed) in _votes)
            {
                if (observed.HasSameAddress(latest))
                {
                    sameAddress++;
                }
            }

            return sameAddress >= Quorum && Leader().Count == 1;
        }
    }

    /// <summary>Records that <paramref name="reporter"/> saw us at <paramref name="observed"/>; true when <see cref="Current"/> changed.</summary>
    public bool Report(NodeEndpoint reporter, NodeEndpoint observed)
    {
        if (observed.IsUnspecified)
        {
            return false;
        }

        var voter = VoterOf(reporter);
        var held = IndexOf(voter);
        if (held >= 0)
        {
            _votes.RemoveAt(held);
        }

        if (_votes.Count == Window)
        {
            _votes.RemoveAt(0);
        }

        _votes.Add((voter, observed));
        Unsettled = observed != Current;
        var (leader, count) = Leader();
        if (count < Quorum || leader == Current || (Current is { } current && Count(current) >= count))
        {
            return false;
        }

        Current = leader;
        return true;
    }

    /// <summary>Whether <paramref name="reporter"/>'s prefix already has a vote in the window.</summary>
    public bool HasVoted(NodeEndpoint reporter)
    {
        var voter = VoterOf(reporter);
        return IndexOf(voter) >= 0;
    }

    /// <summary>Where <paramref name="voter"/>'s report sits in the window (one at most), or -1.</summary>
    private int IndexOf(ulong voter)
    {
        for (var i = 0; i < _votes.Count; i++)
        {
            if (_votes[i].Voter == voter)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The reporter's prefix; on loopback test networks its endpoint, since every node shares 127.0.0.1.</summary>
    private ulong VoterOf(NodeEndpoint reporter) => reporter.PrefixKey(loopbackPerEndpoint);

    private (NodeEndpoint Endpoint, int Count) Leader()
    {
        NodeEndpoint best = default;
        var bestCount = 0;
        foreach (var (_, observed) in _votes)
        {
            var count = Count(observed);
            if (count > bestCount)
            {
                (best, bestCount) = (observed, count);
            }
        }

        return (best, bestCount);
    }

    private int Count(NodeEndpoint endpoint)
    {
        var count = 0;
        foreach (var (_, observed) in _votes)
        {
            count += observed == endpoint ? 1 : 0;
        }

        return count;
    }
}
