using Kademlia.Identity;

namespace Kademlia.Routing;

/// <summary>
/// Eclipse resistance: caps the contacts one IPv4 /24 or IPv6 /48 may hold in one bucket and in the
/// whole table, so an attacker with few address blocks cannot fill a victim's table.
/// </summary>
/// <remarks>
/// The limits (2 per bucket, 10 per table by default) follow go-ethereum after Marcus et al.,
/// "Low-Resource Eclipse Attacks on Ethereum's Peer-to-Peer Network" (USENIX Security 2018).
/// Loopback is exempt only when the network says so, for many nodes on one machine.
/// </remarks>
internal sealed class IpDiversityPolicy(NetworkParameters network)
{
    private readonly Dictionary<ulong, int> _perTable = [];

    public bool IsExempt(NodeEndpoint endpoint) => network.ExemptLoopbackFromDiversityLimits && endpoint.IsLoopback;

    /// <summary>Whether one more contact at <paramref name="endpoint"/> fits in <paramref name="bucket"/> and the table.</summary>
    public bool Allows(NodeEndpoint endpoint, KBucket bucket, Contact? ignoring = null)
    {
        if (IsExempt(endpoint))
        {
            return true;
        }

        var subnet = endpoint.SubnetKey;
        var inTable = _perTable.GetValueOrDefault(subnet);
        if (ignoring is not null && ignoring.Endpoint.SubnetKey == subnet && !IsExempt(ignoring.Endpoint))
        {
            inTable--;
        }

        if (inTable >= network.MaxPerSubnetPerTable)
        {
            return false;
        }

        var inBucket = 0;
        foreach (var contact in bucket.Items)
        {
            if (!ReferenceEquals(contact, ignoring) && contact.Endpoint.SubnetKey == subnet && !IsExempt(contact.Endpoint))
            {
                inBucket++;
            }
        }

        return inBucket < network.MaxPerSubnetPerBucket;
    }

    public void Added(NodeEndpoint endpoint)
    {
        if (!IsExempt(endpoint))
        {
            _perTable[endpoint.SubnetKey] = _perTable.GetValueOrDefault(endpoint.SubnetKey) + 1;
        }
    }

    public void Removed(NodeEndpoint endpoint)
    {
        if (IsExempt(endpoint))
        {
            return;
        }

        var subnet = endpoint.SubnetKey;
        var count = _perTable.GetValueOrDefault(subnet) - 1;
        if (count <= 0)
        {
            _perTable.Remove(subnet);
        }
        else
        {
            _perTable[subnet] = count;
        }
    }

    public int CountInTable(NodeEndpoint endpoint) => _perTable.GetValueOrDefault(endpoint.SubnetKey);
}
