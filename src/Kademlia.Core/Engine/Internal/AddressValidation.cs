using System.Net;
using Kademlia.Routing;
using Kademlia.Sessions;

namespace Kademlia.Engine.Internal;

/// <summary>
/// Which remote addresses are proven, and how many bytes an unproven one may still be sent: the 3×
/// anti-amplification rule of QUIC (RFC 9000 §8.1) applied to every packet the engine emits, not only
/// to handshake answers.
/// </summary>
/// <remarks>
/// <para>An address becomes <em>unproven</em> when an unsolicited handshake initiation (IK or XX
/// message 1) arrives from it: its source may be forged, so until it proves otherwise the engine sends
/// it at most <see cref="PacketFormat.AmplificationFactor"/> times the bytes received from it, and the
/// peer behind it enters no routing table and receives no record pushes.</para>
/// <para>It becomes <em>proven</em> when a packet arrives from it that only the holder of that address
/// could have produced: an answer to a handshake we sent (IK response, XX message 2), the XX message 3
/// that follows our message 2, or transport data on a session whose keys travelled to that address.</para>
/// <para>A peer that <em>roams</em> (an authenticated transport packet from a new address) does not
/// prove the new address: the session's keys never went there, and a malicious peer can send from a
/// forged source. The new address is unproven, on the same 3× budget, until the peer answers a
/// challenge sent there (<see cref="OnRoamed"/>, <see cref="ProveByChallenge"/>); until then its
/// transport packets only add to its budget.</para>
/// <para>Addresses never seen inbound are the engine's own initiative (a lookup, a bootstrap) and carry
/// no budget. Both tables are bounded; past the bound the oldest half of the unproven ones is forgotten
/// (they can then only receive what an inbound packet triggers, one answer per packet) and the proven
/// set is cleared (a forgotten peer proves itself again with its next transport packet).</para>
/// </remarks>
internal sealed class AddressValidation(int maxTracked)
{
    private readonly Dictionary<NodeEndpoint, Budget> _unproven = [];
    private readonly HashSet<NodeEndpoint> _proven = [];
    private readonly HashSet<NodeEndpoint> _contacted = [];
    private long _arrivals;

    /// <summary>Unproven addresses currently tracked.</summary>
    public int UnprovenCount => _unproven.Count;

    /// <summary>Accounts for a datagram the session layer accepted from <paramref name="from"/>.</summary>
    /// <param name="from">The source address.</param>
    /// <param name="type">The packet type (its second byte).</param>
    /// <param name="length">The datagram's length in bytes.</param>
    public void OnAccepted(EndPoint from, PacketType type, int length)
    {
        if (from is not IPEndPoint ip)
        {
            return;
        }

        var endpoint = NodeEndpoint.FromIPEndPoint(ip);
        switch (type)
        {
            case PacketType.TransportData when _unproven.TryGetValue(endpoint, out var roamed) && roamed.Roamed:
                roamed.Received += length;
                break;
            case PacketType.IkResponse or PacketType.XxMessage2 or PacketType.XxMessage3 or PacketType.TransportData:
                Prove(endpoint);
                break;
            case PacketType.IkInitiation or PacketType.XxMessage1 when !_proven.Contains(endpoint):
                BudgetOf(endpoint).Received += length;
                break;
        }
    }

    /// <summary>
    /// A peer's session moved to <paramref name="from"/> on a transport packet of <paramref name="length"/>
    /// bytes: unless the address is proven, it gets a 3× budget until <see cref="ProveByChallenge"/>.
    /// </summary>
    public void OnRoamed(EndPoint from, int length)
    {
        if (from is not IPEndPoint ip)
        {
            return;
        }

        var endpoint = NodeEndpoint.FromIPEndPoint(ip);
        if (_proven.Contains(endpoint))
        {
            return;
        }

        var budget = BudgetOf(endpoint);
        budget.Roamed = true;
        budget.Received += length;
    }

    /// <summary>The peer answered, from <paramref name="endpoint"/>, a challenge we sent there: the address is its.</summary>
    public void ProveByChallenge(IPEndPoint endpoint) => Prove(NodeEndpoint.FromIPEndPoint(endpoint));

    /// <summary>Whether <paramref name="endpoint"/> proved it receives what we send to it.</summary>
    public bool IsProven(IPEndPoint endpoint) => _proven.Contains(NodeEndpoint.FromIPEndPoint(endpoint));

    /// <summary>
    /// Bytes <paramref name="destination"/> may still be sent: unlimited (<see cref="int.MaxValue"/>)
    /// unless it is an unproven source.
    /// </summary>
    public int Allowance(EndPoint destination)
    {
        if (destination is not IPEndPoint ip || !_unproven.TryGetValue(NodeEndpoint.FromIPEndPoint(ip), out var budget))
        {
            return int.MaxValue;
        }

        return (int)Math.Clamp((PacketFormat.AmplificationFactor * budget.Received) - budget.Sent, 0, int.MaxValue);
    }

    /// <summary>Takes <paramref name="length"/> bytes of <paramref name="destination"/>'s allowance; false (nothing taken) when it has not that much left.</summary>
    public bool TrySpend(EndPoint destination, int length)
    {
        if (destination is not IPEndPoint ip)
        {
            return true;
        }

        var endpoint = NodeEndpoint.FromIPEndPoint(ip);
        if (_unproven.TryGetValue(endpoint, out var budget))
        {
            if (budget.Sent + length > PacketFormat.AmplificationFactor * budget.Received)
            {
                return false;
            }

            budget.Sent += length;
        }

        if (_contacted.Count >= maxTracked)
        {
            _contacted.Clear();
        }

        _contacted.Add(endpoint.Host);
        return true;
    }

    /// <summary>
    /// Whether we sent anything to <paramref name="source"/>'s address (its IP; the whole endpoint on
    /// loopback, where every node shares one IP). A NAT or firewall that filters by address lets in what
    /// comes from an address we sent to, so such a packet proves nothing about reachability. Bounded:
    /// past the bound the set is cleared, which can only make a probe look conclusive too early once.
    /// </summary>
    public bool HasContacted(IPEndPoint source) => _contacted.Contains(NodeEndpoint.FromIPEndPoint(source).Host);

    private void Prove(NodeEndpoint endpoint)
    {
        _unproven.Remove(endpoint);
        if (_proven.Count >= maxTracked)
        {
            _proven.Clear();
        }

        _proven.Add(endpoint);
    }

    /// <summary>The budget of an unproven address, made (forgetting the oldest half past the bound) when it has none.</summary>
    private Budget BudgetOf(NodeEndpoint endpoint)
    {
        if (!_unproven.TryGetValue(endpoint, out var budget))
        {
            if (_unproven.Count >= maxTracked)
            {
                ForgetOldest();
            }

            budget = new Budget(++_arrivals);
            _unproven.Add(endpoint, budget);
        }

        return budget;
    }

    private void ForgetOldest()
    {
        var cutoff = _arrivals - (maxTracked / 2);
        foreach (var (endpoint, budget) in _unproven)
        {
            if (budget.Arrival <= cutoff)
            {
                _unproven.Remove(endpoint);
            }
        }
    }

    private sealed class Budget(long arrival)
    {
        public long Arrival { get; } = arrival;

        public long Received { get; set; }

        public long Sent { get; set; }

        /// <summary>Unproven because a peer roamed here (only a challenge's answer proves it), not because of an initiation.</summary>
        public bool Roamed { get; set; }
    }
}
