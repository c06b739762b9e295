namespace Kademlia.Routing;

/// <summary>
/// One k-bucket: up to k contacts in least-recently-seen order (oldest first) and a bounded
/// replacement cache of newcomers that arrived while it was full (most recent last).
/// </summary>
/// <remarks>
/// Implementation notes. The paper's rule is that a full bucket keeps its oldest live contact: nodes
/// that have been up longer are likelier to stay up. So a newcomer never displaces a contact by
/// itself; it waits in the replacement cache while the table asks its caller to ping the oldest
/// contact, and takes a place only when a contact is evicted. All limits (k, cache size, diversity)
/// are enforced by <see cref="RoutingTable"/>, which owns the buckets.
/// </remarks>
public sealed class KBucket
{
    private readonly List<Contact> _contacts;
    private readonly List<Contact> _replacements = [];

    internal KBucket(int capacity) => _contacts = new List<Contact>(capacity);

    /// <summary>The contacts, least recently seen first.</summary>
    public IReadOnlyList<Contact> Contacts => _contacts;

    /// <summary>Newcomers waiting for a place, most recently seen last.</summary>
    public IReadOnlyList<Contact> Replacements => _replacements;

    /// <summary>The number of contacts.</summary>
    public int Count => _contacts.Count;

    /// <summary>The least recently seen contact, or null when empty.</summary>
    public Contact? Oldest => _contacts.Count == 0 ? null : _contacts[0];

    internal List<Contact> Items => _contacts;

    internal int IndexOf(in Identity.NodeId id)
    {
        var contacts = _contacts;
        for (var i = 0; i < contacts.Count; i++)
        {
            if (contacts[i].Id == id)
            {
                return i;
            }
        }

        return -1;
    }

    internal int ReplacementIndexOf(in Identity.NodeId id)
    {
        for (var i = 0; i < _replacements.Count; i++)
        {
            if (_replacements[i].Id == id)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Moves the contact at <paramref name="index"/> to the most-recently-seen end.</summary>
    internal void MoveToTail(int index)
    {
        var contact = _contacts[index];
        _contacts.RemoveAt(index);
        _contacts.Add(contact);
    }

    internal void Add(Contact contact) => _contacts.Add(contact);

    internal void RemoveAt(int index) => _contacts.RemoveAt(index);

    /// <summary>Adds or refreshes a waiting newcomer, dropping the stalest one past <paramref name="capacity"/>.</summary>
    internal void OfferReplacement(Contact contact, int capacity)
    {
        var existing = ReplacementIndexOf(contact.Id);
        if (existing >= 0)
        {
            _replacements.RemoveAt(existing);
        }

        _replacements.Add(contact);
        while (_replacements.Count > capacity)
        {
            _replacements.RemoveAt(0);
        }
    }

    internal void RemoveReplacementAt(int index) => _replacements.RemoveAt(index);
}
