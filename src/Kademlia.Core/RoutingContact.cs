using Kademlia.Routing;

namespace Kademlia;

/// <summary>
/// A routing-table contact as the node measured it: an immutable snapshot, taken on the node's loop (for
/// <c>GetRoutingTableAsync</c>, and for the <see cref="ContactAdded"/> and <see cref="ContactEvicted"/> events),
/// that later measurements do not change.
/// </summary>
/// <param name="Node">The contact's ID, key and endpoint.</param>
/// <param name="Bucket">The bucket it is in: the number of leading bits its ID shares with ours.</param>
/// <param name="SmoothedRtt">Smoothed round-trip time, or null before the first answer.</param>
/// <param name="ConsecutiveFailures">Requests in a row it left unanswered.</param>
/// <param name="Reputation">From -100 to 100 (see <see cref="Contact.Reputation"/>).</param>
/// <param name="LastSeen">When the node last had an authenticated exchange with it.</param>
public sealed record RoutingContact(NodeInfo Node, int Bucket, TimeSpan? SmoothedRtt, int ConsecutiveFailures, int Reputation, DateTimeOffset LastSeen)
{
    /// <summary>The contact's node ID.</summary>
    public Identity.NodeId Id => Node.Id;

    /// <summary>A snapshot of <paramref name="contact"/>, which sits in bucket <paramref name="bucket"/>.</summary>
    internal static RoutingContact From(Contact contact, int bucket) =>
        new(contact.ToNodeInfo(), bucket, contact.SmoothedRtt, contact.ConsecutiveFailures, contact.Reputation, contact.LastSeen);
}
