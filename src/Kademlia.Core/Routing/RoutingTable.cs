using Kademlia.Identity;

namespace Kademlia.Routing;

/// <summary>
/// The Kademlia routing table of one node: 256 k-buckets indexed by the common-prefix length of a
/// contact's ID with ours, each in least-recently-seen order with a replacement cache.
/// </summary>
/// <remarks>
/// <para>
/// Implementation notes. Only nodes we have had an authenticated exchange with should be offered
/// through <see cref="Observe"/>: contacts learned from third parties are lookup candidates, never
/// table entries (S/Kademlia), which keeps an attacker from planting contacts. The table never holds
/// its owner, refuses IDs whose proof-of-work fails against the network's difficulties, and applies
/// the <see cref="IpDiversityPolicy"/> limits.
/// </para>
/// <para>
/// A full bucket never evicts on its own: <see cref="Observe"/> returns
/// <see cref="RoutingUpdateKind.Pending"/> with the oldest contact to ping, and the caller reports
/// the outcome through <see cref="RecordSuccess"/> (it stays, moved to the tail) or
/// <see cref="LivenessCheckFailed"/> (it goes, and the most recent newcomer takes its place). The
/// ping itself is the caller's business, so a slow peer never stalls the table or a receive loop.
/// </para>
/// <para>Not thread-safe: one engine owns one table.</para>
/// </remarks>
public sealed class RoutingTable
{
    private readonly KBucket?[] _buckets = new KBucket?[NodeId.Bits];
    private readonly long[] _lastRefreshTicks = new long[NodeId.Bits];
    private readonly IpDiversityPolicy _diversity;

    /// <summary>Creates an empty table owned by <paramref name="self"/>.</summary>
    public RoutingTable(NodeId self, NetworkParameters network)
    {
        ArgumentNullException.ThrowIfNull(network);
        network.Validate();
        Self = self;
        Network = network;
        _diversity = new IpDiversityPolicy(network);
    }

    /// <summary>The owner's ID.</summary>
    public NodeId Self { get; }

    /// <summary>The network whose k, proof-of-work and diversity limits apply.</summary>
    public NetworkParameters Network { get; }

    /// <summary>The number of contacts in all buckets (replacement caches excluded).</summary>
    public int Count { get; private set; }

    /// <summary>The bucket a node or key falls into: its common-prefix length with <see cref="Self"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="id"/> is <see cref="Self"/>.</exception>
    public int BucketIndexOf(NodeId id)
    {
        var index = Self.CommonPrefixLength(id);
        return index < NodeId.Bits ? index : throw new ArgumentException("The owner's ID has no bucket.", nameof(id));
    }

    /// <summary>The bucket at <paramref name="index"/>, or null while it has never held anyone.</summary>
    public KBucket? GetBucket(int index) => _buckets[index];

    /// <summary>Every contact, bucket by bucket from the farthest (index 0) to the nearest.</summary>
    public IEnumerable<Contact> Contacts
    {
        get
        {
            foreach (var bucket in _buckets)
            {
                if (bucket is null)
                {
                    continue;
                }

                foreach (var contact in bucket.Items)
                {
                    yield return contact;
                }
            }
        }
    }

    /// <summary>The contact with <paramref name="id"/>, or null.</summary>
    public Contact? Find(NodeId id)
    {
        if (id == Self)
        {
            return null;
        }

        var bucket = _buckets[Self.CommonPrefixLength(id)];
        if (bucket is null)
        {
            return null;
        }

        var index = bucket.IndexOf(id);
        return index < 0 ? null : bucket.Items[index];
    }

    /// <summary>
    /// Offers a node we just had an authenticated exchange with. Adds it if its bucket has room,
    /// refreshes it if known, or parks it in the replacement cache and names the oldest contact to
    /// ping if the bucket is full.
    /// </summary>
    public RoutingUpdate Observe(in NodeInfo node, DateTimeOffset now)
    {
        // The common case, a node we already hold, takes a short path of its own.
        var id = node.Id;
        if (id != Self && _buckets[Self.CommonPrefixLength(id)] is { } known && known.IndexOf(id) is var found and >= 0 && !node.Endpoint.IsUnspecified)
        {
            return Refresh(known, found, node, now);
        }

        return ObserveNew(node, now);
    }

    private RoutingUpdate ObserveNew(in NodeInfo node, DateTimeOffset now)
    {
        if (node.Id == Self)
        {
            return RoutingUpdate.Rejected(RoutingRejection.Self);
        }

        if (node.Endpoint.IsUnspecified)
        {
            return RoutingUpdate.Rejected(RoutingRejection.UnreachableEndpoint);
        }

        var index = Self.CommonPrefixLength(node.Id);
        var bucket = _buckets[index] ??= new KBucket(Network.K);
        var position = bucket.IndexOf(node.Id);
        if (position >= 0)
        {
            return Refresh(bucket, position, node, now);
        }

        if (!node.MeetsProofOfWork(Network))
        {
            return RoutingUpdate.Rejected(RoutingRejection.InvalidProofOfWork);
        }

        if (!_diversity.Allows(node.Endpoint, bucket))
        {
            return RoutingUpdate.Rejected(RoutingRejection.SubnetLimit);
        }

        var contact = new Contact(node, now);
        if (bucket.Count < Network.K)
        {
            var waiting = bucket.ReplacementIndexOf(node.Id);
            if (waiting >= 0)
            {
                bucket.RemoveReplacementAt(waiting);
            }

            Insert(bucket, contact);
            return new RoutingUpdate(RoutingUpdateKind.Added, contact);
        }

        if (Network.ReplacementCacheSize > 0)
        {
            bucket.OfferReplacement(contact, Network.ReplacementCacheSize);
        }

        return new RoutingUpdate(RoutingUpdateKind.Pending, contact, bucket.Oldest);
    }

    /// <summary>
    /// Records an answer from <paramref name="id"/> after <paramref name="rtt"/>: updates its RTT and
    /// moves it to the most-recently-seen end. False when the node is not in the table.
    /// </summary>
    public bool RecordSuccess(NodeId id, TimeSpan rtt, DateTimeOffset now)
    {
        if (!TryLocate(id, out var bucket, out var position))
        {
            return false;
        }

        bucket.Items[position].RecordSuccess(rtt, now);
        bucket.MoveToTail(position);
        return true;
    }

    /// <summary>
    /// Records an unanswered request to <paramref name="id"/>. After
    /// <see cref="NetworkParameters.MaxConsecutiveFailures"/> in a row the contact is evicted and the
    /// most recent waiting newcomer takes its place. Returns the evicted contact, if any.
    /// </summary>
    public Contact? RecordFailure(NodeId id, DateTimeOffset now)
    {
        if (!TryLocate(id, out var bucket, out var position))
        {
            return null;
        }

        var contact = bucket.Items[position];
        contact.RecordFailure();
        return contact.ConsecutiveFailures >= Network.MaxConsecutiveFailures ? Evict(bucket, position, now) : null;
    }

    /// <summary>
    /// Records an answer from <paramref name="id"/> that failed validation. A contact whose reputation
    /// falls to the minimum is evicted. Returns the evicted contact, if any.
    /// </summary>
    public Contact? RecordInvalidAnswer(NodeId id, DateTimeOffset now)
    {
        if (!TryLocate(id, out var bucket, out var position))
        {
            return null;
        }

        var contact = bucket.Items[position];
        contact.RecordInvalidAnswer();
        return contact.Reputation <= -Contact.MaxReputation ? Evict(bucket, position, now) : null;
    }

    /// <summary>
    /// The ping of a <see cref="RoutingUpdate.PingCandidate"/> went unanswered: evicts it and promotes
    /// the most recent newcomer from the replacement cache. Returns the evicted contact, if any.
    /// </summary>
    public Contact? LivenessCheckFailed(NodeId id, DateTimeOffset now)
    {
        if (!TryLocate(id, out var bucket, out var position))
        {
            return null;
        }

        bucket.Items[position].RecordFailure();
        return Evict(bucket, position, now);
    }

    /// <summary>Removes <paramref name="id"/> from the table (and from any replacement cache).</summary>
    public bool Remove(NodeId id, DateTimeOffset now)
    {
        if (TryLocate(id, out var bucket, out var position))
        {
            Evict(bucket, position, now);
            return true;
        }

        if (id != Self && _buckets[Self.CommonPrefixLength(id)] is { } b && b.ReplacementIndexOf(id) is var waiting and >= 0)
        {
            b.RemoveReplacementAt(waiting);
            return true;
        }

        return false;
    }

    /// <summary>
    /// Writes the contacts closest to <paramref name="target"/> into <paramref name="destination"/>,
    /// closest first, and returns how many were written (fewer when the table holds fewer).
    /// Allocates nothing.
    /// </summary>
    /// <remarks>
    /// XOR geometry lets us visit buckets in distance order instead of sorting the table. With
    /// b = cpl(self, target): every contact of bucket b shares more than b bits with the target;
    /// every contact of a bucket above b shares exactly b; a contact of a bucket i below b shares
    /// exactly i. So the groups "bucket b", "all buckets above b", "bucket b-1", ..., "bucket 0" are
    /// in strictly increasing distance, and we stop after the group that fills the destination.
    /// </remarks>
    public int FindClosest(NodeId target, Span<Contact> destination)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        var count = 0;
        var b = Self.CommonPrefixLength(target);
        if (b < NodeId.Bits)
        {
            count = Collect(_buckets[b], target, destination, count);
            if (count == destination.Length)
            {
                return count;
            }
        }

        for (var i = b + 1; i < NodeId.Bits; i++)
        {
            count = Collect(_buckets[i], target, destination, count);
        }

        for (var i = Math.Min(b, NodeId.Bits) - 1; i >= 0 && count < destination.Length; i--)
        {
            count = Collect(_buckets[i], target, destination, count);
        }

        return count;
    }

    /// <summary>The up to <paramref name="count"/> contacts closest to <paramref name="target"/>, closest first.</summary>
    public Contact[] FindClosest(NodeId target, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var buffer = new Contact[Math.Min(count, Count)];
        var written = FindClosest(target, buffer.AsSpan());
        return written == buffer.Length ? buffer : buffer[..written];
    }

    /// <summary>
    /// Indexes of buckets not refreshed since <paramref name="now"/> minus
    /// <see cref="NetworkParameters.BucketRefreshInterval"/>, from the farthest bucket up to the
    /// nearest non-empty one (deeper buckets cannot hold anyone yet).
    /// </summary>
    public IEnumerable<int> BucketsDueForRefresh(DateTimeOffset now)
    {
        var deadline = (now - Network.BucketRefreshInterval).UtcTicks;
        var deepest = 0;
        for (var i = NodeId.Bits - 1; i >= 0; i--)
        {
            if (_buckets[i] is { Count: > 0 })
            {
                deepest = i;
                break;
            }
        }

        for (var i = 0; i <= deepest; i++)
        {
            if (_lastRefreshTicks[i] <= deadline)
            {
                yield return i;
            }
        }
    }

    /// <summary>Notes that a lookup just covered <paramref name="target"/>'s bucket.</summary>
    public void MarkRefreshed(NodeId target, DateTimeOffset now)
    {
        var index = Self.CommonPrefixLength(target);
        if (index < NodeId.Bits)
        {
            _lastRefreshTicks[index] = now.UtcTicks;
        }
    }

    private static int Collect(KBucket? bucket, NodeId target, Span<Contact> destination, int count)
    {
        if (bucket is null)
        {
            return count;
        }

        foreach (var contact in bucket.Items)
        {
            count = InsertSorted(destination, count, contact, target);
        }

        return count;
    }

    /// <summary>Bounded insertion sort: keeps the <c>destination.Length</c> closest seen so far.</summary>
    private static int InsertSorted(Span<Contact> destination, int count, Contact contact, NodeId target)
    {
        var id = contact.Id;
        if (count == destination.Length)
        {
            if (target.CompareDistance(id, destination[count - 1].Id) >= 0)
            {
                return count;
            }

            count--;
        }

        var position = count;
        while (position > 0 && target.CompareDistance(id, destination[position - 1].Id) < 0)
        {
            destination[position] = destination[position - 1];
            position--;
        }

        destination[position] = contact;
        return count + 1;
    }

    private RoutingUpdate Refresh(KBucket bucket, int position, in NodeInfo node, DateTimeOffset now)
    {
        var contact = bucket.Items[position];
        if (contact.Endpoint != node.Endpoint)
        {
            // A node that moved must still fit the diversity limits at its new address.
            if (!_diversity.Allows(node.Endpoint, bucket, ignoring: contact))
            {
                return RoutingUpdate.Rejected(RoutingRejection.SubnetLimit);
            }

            _diversity.Removed(contact.Endpoint);
            contact.Endpoint = node.Endpoint;
            _diversity.Added(contact.Endpoint);
        }

        contact.Touch(now);
        bucket.MoveToTail(position);
        return new RoutingUpdate(RoutingUpdateKind.Updated, contact);
    }

    private void Insert(KBucket bucket, Contact contact)
    {
        bucket.Add(contact);
        _diversity.Added(contact.Endpoint);
        Count++;
    }

    private Contact Evict(KBucket bucket, int position, DateTimeOffset now)
    {
        var evicted = bucket.Items[position];
        bucket.RemoveAt(position);
        _diversity.Removed(evicted.Endpoint);
        Count--;

        // Promote the most recently seen newcomer that still fits the diversity limits.
        for (var i = bucket.Replacements.Count - 1; i >= 0; i--)
        {
            var candidate = bucket.Replacements[i];
            if (_diversity.Allows(candidate.Endpoint, bucket))
            {
                bucket.RemoveReplacementAt(i);
                candidate.Touch(now);
                Insert(bucket, candidate);
                break;
            }
        }

        return evicted;
    }

    private bool TryLocate(NodeId id, out KBucket bucket, out int position)
    {
        bucket = null!;
        position = -1;
        if (id == Self || _buckets[Self.CommonPrefixLength(id)] is not { } found)
        {
            return false;
        }

        bucket = found;
        position = found.IndexOf(id);
        return position >= 0;
    }
}
