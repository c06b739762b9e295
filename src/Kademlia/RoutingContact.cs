using Kademlia.Routing;

namespace Kademlia;

/// <summary>A routing-table contact as the node measured it, copied off the node's loop.</summary>
/// <param name="Node">The contact's ID, key and endpoint.</param>
/// <param name="Bucket">The bucket it is in: the number of leading bits its ID shares with ours.</param>
/// <param name="SmoothedRtt">Smoothed round-trip time, or null before the first answer.</param>
/// <param name="ConsecutiveFailures">Requests in a row it left unanswered.</param>
/// <param name="Reputation">From -100 to 100 (see <see cref="Contact.Reputation"/>).</param>
/// <param name="LastSeen">When the node last had an authenticated exchange with it.</param>
public sealed record RoutingContact(NodeInfo Node, int Bucket, TimeSpan? SmoothedRtt, int ConsecutiveFailures, int Reputation, DateTimeOffset LastSeen)
{
    internal static RoutingContact From(Contact contact, int bucket) =>
        new(contact.ToNodeInfo(), bucket, contact.SmoothedRtt, contact.ConsecutiveFailures, contact.Reputation, contact.LastSeen);
}
