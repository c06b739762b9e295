using System.Net;

namespace Kademlia.Mainline.Internal;

/// <summary>
/// BEP 42's external address vote (IP only, unlike the native mode's endpoint vote in ExternalAddressVote, since BEP 42 binds the ID to the address alone): the <c>ip</c> answering nodes report, one vote per voter's /24 (IPv4) or
/// /48 (IPv6) so one network cannot outvote the rest. Bounded: the last 64 voters are remembered.
/// </summary>
internal sealed class AddressVote(int needed)
{
    private const int MaxVoters = 64;
    private readonly Dictionary<ulong, IPAddress> _votes = [];
    private readonly Queue<ulong> _order = new();

    /// <summary>Records a vote; returns the address once the needed number of voters agree on it, else null.</summary>
    public IPAddress? Add(NodeEndpoint voter, NodeEndpoint reported)
    {
        var key = voter.SubnetKey;
        if (voter.IsLoopback)
        {
            // Every loopback node is its own voter, so tests on one machine can hold a vote.
            key = (ulong)voter.GetHashCode();
        }

        if (!_votes.ContainsKey(key))
        {
            _order.Enqueue(key);
            if (_order.Count > MaxVoters) _votes.Remove(_order.Dequeue());
        }

        var address = reported.ToIPAddress();
        _votes[key] = address;
        var count = 0;
        foreach (var vote in _votes.Values)
        {
            if (vote.Equals(address)) count++;
        }

        return count >= needed ? address : null;
    }
}
