using Kademlia.Identity;
using Kademlia.Records.Internal;
using Kademlia.Wire;

namespace Kademlia.Records;

/// <summary>
/// The in-memory <see cref="IRecordStore"/>, and the one place the storage rules are written: the
/// SQLite store of <c>Kademlia.Sqlite</c> runs these same rules and writes their changes through.
/// </summary>
/// <remarks>
/// <para><b>Values.</b> A key holds one record.</para>
/// <list type="bullet">
/// <item>An immutable record stored again refreshes its expiry.</item>
/// <item>A mutable record replaces the stored one only with a higher sequence. The same sequence
/// with an identical record refreshes the expiry; the same sequence with anything else is
/// <see cref="StoreError.StaleSequence"/> (two different records signed with one sequence: the
/// first one stored wins, so a replay cannot flip a value back and forth).</item>
/// <item>With an expected sequence (compare-and-swap) the stored sequence must equal it, 0 meaning
/// nothing is stored, else <see cref="StoreError.SequenceMismatch"/>; then the rules above apply.</item>
/// <item>An immutable record whose value is a publisher key ‖ salt has the key of that publisher's
/// mutable record. Such a value is a squat, so a mutable record displaces it, and an immutable
/// record is refused (<see cref="StoreError.StaleSequence"/>) where a mutable one is stored.</item>
/// </list>
/// <para><b>Providers</b> are keyed by (topic, provider node ID). A later publication replaces an
/// earlier one; the same publication time refreshes an identical record and refuses a different one.
/// A topic keeps at most <see cref="RecordStoreLimits.MaxProvidersPerTopic"/> providers: when full,
/// the earliest publication gives way to a later one, and a newcomer no later than all of them is
/// refused (<see cref="StoreError.QuotaExceeded"/>).</para>
/// <para><b>Quotas.</b> One source may hold <see cref="RecordStoreLimits.MaxRecordsPerSource"/>
/// entries (values plus provider entries it stored; the node's own ID is exempt, its records are
/// bounded by the totals). When the total count of values or of bytes is full, the keys (value keys
/// and topics) farthest from the node's own ID by XOR are evicted first, because the closest keys are
/// the ones this node is responsible for; a record whose key is farther than everything that could
/// make room is refused and nothing is evicted.</para>
/// <para><b>Expiry.</b> Reads never return an entry at or past its expiry. Expired entries are
/// removed by <see cref="RemoveExpired"/>, or earlier by a write (so that an expired entry never
/// counts against a quota or a sequence); either way the next <see cref="RemoveExpired"/> reports
/// their keys once. Refreshing never shortens a lifetime. A record offered with an expiry at or
/// before <c>now</c> is accepted and forgotten at once.</para>
/// <para>Not thread-safe: one engine owns one store.</para>
/// </remarks>
public sealed class MemoryRecordStore : IRecordStore
{
    private readonly IRecordStoreJournal? _journal;
    private readonly Dictionary<NodeId, StoredValue> _values = [];
    private readonly Dictionary<NodeId, Dictionary<NodeId, StoredProvider>> _topics = [];
    private readonly Dictionary<NodeId, int> _entriesPerSource = [];
    private readonly SortedSet<KeySlot> _byDistance = [];
    private readonly SortedSet<ExpirySlot> _byExpiry = [];
    private readonly List<NodeId> _expiredKeys = [];
    private readonly HashSet<NodeId> _expiredKeySet = [];
    private int _providerCount;
    private long _bytes;

    /// <summary>An empty store for the node <paramref name="self"/>.</summary>
    /// <param name="self">The node's own ID: eviction keeps the keys closest to it.</param>
    /// <param name="limits">The quotas. Defaults to <see cref="RecordStoreLimits.Default"/>.</param>
    public MemoryRecordStore(NodeId self, RecordStoreLimits? limits = null)
        : this(self, limits, null)
    {
    }

    internal MemoryRecordStore(NodeId self, RecordStoreLimits? limits, IRecordStoreJournal? journal)
    {
        Self = self;
        Limits = limits ?? RecordStoreLimits.Default;
        _journal = journal;
    }

    /// <summary>The node's own ID.</summary>
    public NodeId Self { get; }

    /// <summary>The quotas in force.</summary>
    public RecordStoreLimits Limits { get; }

    /// <inheritdoc/>
    public DateTimeOffset? NextExpiry => _byExpiry.Count == 0 ? null : new DateTimeOffset(_byExpiry.Min.ExpiresAtTicks, TimeSpan.Zero);

    /// <inheritdoc/>
    public RecordStoreStatistics Statistics => new(_values.Count, _providerCount, _topics.Count, _bytes);

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">An expected sequence is given for an immutable record.</exception>
    public StoreError Put(ValueRecord record, NodeId source, DateTimeOffset now, DateTimeOffset expiresAt, ulong? expectedSequence = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (expectedSequence is not null && record is not MutableRecord)
        {
            throw new ArgumentException("Only a mutable record has a sequence to compare.", nameof(expectedSequence));
        }

        if (record.Value.Length > Limits.MaxValueSize)
        {
            return StoreError.TooLarge;
        }

        if (expiresAt <= now)
        {
            return StoreError.None;
        }

        PurgeExpired(now);
        _values.TryGetValue(record.Key, out var stored);
        if (record is MutableRecord mutable)
        {
            var storedMutable = stored?.Record as MutableRecord;
            if (expectedSequence is { } expected && (storedMutable?.Sequence ?? 0) != expected)
            {
                return StoreError.SequenceMismatch;
            }

            if (storedMutable is not null && mutable.Sequence <= storedMutable.Sequence)
            {
                return mutable.Sequence == storedMutable.Sequence && mutable.Equals(storedMutable)
                    ? Refresh(stored!, expiresAt)
                    : StoreError.StaleSequence;
            }
        }
        else if (stored is not null)
        {
            return stored.Record is MutableRecord ? StoreError.StaleSequence : Refresh(stored, expiresAt);
        }

        var gainsEntry = stored is null || stored.Source != source;
        if (gainsEntry && !HasQuota(source))
        {
            return StoreError.QuotaExceeded;
        }

        var addedBytes = SizeOf(record) - (stored is null ? 0 : SizeOf(stored.Record));
        if (!MakeRoom(record.Key, stored is null ? 1 : 0, addedBytes))
        {
            return StoreError.QuotaExceeded;
        }

        if (stored is not null)
        {
            // Replaced in place: the journal's upsert of the new value covers the old one.
            RemoveValue(stored, journal: false);
        }

        AddValue(new StoredValue(record, source, now, expiresAt), journal: true);
        return StoreError.None;
    }

    /// <inheritdoc/>
    public StoredValue? Get(NodeId key, DateTimeOffset now) =>
        _values.TryGetValue(key, out var stored) && stored.ExpiresAt > now ? stored : null;

    /// <inheritdoc/>
    public StoreError AddProvider(ProviderRecord record, NodeId source, DateTimeOffset now, DateTimeOffset expiresAt)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (expiresAt <= now)
        {
            return StoreError.None;
        }

        PurgeExpired(now);
        _topics.TryGetValue(record.Topic, out var entries);
        StoredProvider? stored = null;
        entries?.TryGetValue(record.Provider.Id, out stored);
        if (stored is not null && record.PublishedAtUnixSeconds <= stored.Record.PublishedAtUnixSeconds)
        {
            return record.PublishedAtUnixSeconds == stored.Record.PublishedAtUnixSeconds && record.Equals(stored.Record)
                ? Refresh(stored, expiresAt)
                : StoreError.StaleSequence;
        }

        StoredProvider? displaced = null;
        if (stored is null && entries is not null && entries.Count >= Limits.MaxProvidersPerTopic)
        {
            displaced = EarliestPublication(entries);
            if (record.PublishedAtUnixSeconds <= displaced.Record.PublishedAtUnixSeconds)
            {
                return StoreError.QuotaExceeded;
            }
        }

        var replaced = stored ?? displaced;
        var gainsEntry = replaced is null || replaced.Source != source;
        if (gainsEntry && !HasQuota(source))
        {
            return StoreError.QuotaExceeded;
        }

        var addedBytes = SizeOf(record) - (replaced is null ? 0 : SizeOf(replaced.Record));
        if (!MakeRoom(record.Topic, 0, addedBytes))
        {
            return StoreError.QuotaExceeded;
        }

        if (stored is not null)
        {
            RemoveProvider(stored, journal: false);
        }
        else if (displaced is not null)
        {
            RemoveProvider(displaced, journal: true);
        }

        AddProvider(new StoredProvider(record, source, now, expiresAt), journal: true);
        return StoreError.None;
    }

    /// <inheritdoc/>
    public IReadOnlyList<ProviderRecord> GetProviders(NodeId topic, DateTimeOffset now, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        if (max == 0 || !_topics.TryGetValue(topic, out var entries))
        {
            return [];
        }

        return entries.Values
            .Where(e => e.ExpiresAt > now)
            .OrderByDescending(e => e.Record.PublishedAtUnixSeconds)
            .ThenBy(e => e.ProviderId)
            .Take(max)
            .Select(e => e.Record)
            .ToList();
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Lists each key once, in expiry order: the keys of values removed and of topics that lost at
    /// least one provider, including those a write cleared out of its way since the last call.
    /// </remarks>
    public IReadOnlyList<NodeId> RemoveExpired(DateTimeOffset now)
    {
        PurgeExpired(now);
        if (_expiredKeys.Count == 0)
        {
            return [];
        }

        var removed = _expiredKeys.ToArray();
        _expiredKeys.Clear();
        _expiredKeySet.Clear();
        return removed;
    }

    /// <inheritdoc/>
    /// <remarks>Closest to the node's own ID first.</remarks>
    public IReadOnlyList<StoredValue> Values(DateTimeOffset now)
    {
        var live = new List<StoredValue>(_values.Count);
        foreach (var slot in _byDistance)
        {
            if (!slot.IsTopic && _values[slot.Key] is { } stored && stored.ExpiresAt > now)
            {
                live.Add(stored);
            }
        }

        return live;
    }

    /// <summary>Every provider entry, expired or not, for tests and for the durable store.</summary>
    internal IEnumerable<StoredProvider> AllProviders => _topics.Values.SelectMany(t => t.Values);

    /// <summary>Loads a value a durable store kept, without rules or journal: it passed them when first stored.</summary>
    internal void Restore(StoredValue value)
    {
        if (_values.TryGetValue(value.Record.Key, out var stored))
        {
            RemoveValue(stored, journal: false);
        }

        AddValue(value, journal: false);
    }

    /// <summary>Loads a provider entry a durable store kept, without rules or journal.</summary>
    internal void Restore(StoredProvider provider)
    {
        if (_topics.TryGetValue(provider.Record.Topic, out var entries) && entries.TryGetValue(provider.ProviderId, out var stored))
        {
            RemoveProvider(stored, journal: false);
        }

        AddProvider(provider, journal: false);
    }

    /// <summary>
    /// After restoring under limits smaller than those the entries were stored under, evicts the
    /// farthest keys until the totals fit again (journaled). Expired entries go first.
    /// </summary>
    internal void TrimToLimits(DateTimeOffset now)
    {
        PurgeExpired(now);
        while (_byDistance.Count > 0 && (_values.Count > Limits.MaxValues || _bytes > Limits.MaxBytes))
        {
            var farthest = _byDistance.Max;
            if (!farthest.IsTopic || _bytes > Limits.MaxBytes)
            {
                Evict(farthest);
            }
            else
            {
                // Only the value count is over and the farthest key is a topic: skip to the farthest value.
                Evict(_byDistance.Reverse().First(s => !s.IsTopic));
            }
        }
    }

    private StoreError Refresh(StoredValue stored, DateTimeOffset expiresAt)
    {
        if (expiresAt > stored.ExpiresAt)
        {
            RemoveValue(stored, journal: false);
            AddValue(stored with { ExpiresAt = expiresAt }, journal: true);
        }

        return StoreError.None;
    }

    private StoreError Refresh(StoredProvider stored, DateTimeOffset expiresAt)
    {
        if (expiresAt > stored.ExpiresAt)
        {
            RemoveProvider(stored, journal: false);
            AddProvider(stored with { ExpiresAt = expiresAt }, journal: true);
        }

        return StoreError.None;
    }

    private bool HasQuota(NodeId source) =>
        source == Self || _entriesPerSource.GetValueOrDefault(source) < Limits.MaxRecordsPerSource;

    /// <summary>
    /// Makes room for <paramref name="newValues"/> more values and <paramref name="newBytes"/> more
    /// bytes under <paramref name="key"/> by evicting keys strictly farther from us than it. Plans
    /// first and evicts only if the plan frees enough, so a refused record costs nothing stored.
    /// </summary>
    private bool MakeRoom(NodeId key, int newValues, long newBytes)
    {
        var valueExcess = (long)_values.Count + newValues - Limits.MaxValues;
        var byteExcess = _bytes + newBytes - Limits.MaxBytes;
        if (valueExcess <= 0 && byteExcess <= 0)
        {
            return true;
        }

        var distance = key ^ Self;
        List<KeySlot>? victims = null;
        foreach (var slot in _byDistance.Reverse())
        {
            if (slot.Distance <= distance)
            {
                break;
            }

            if (slot.IsTopic)
            {
                // A topic frees no value slot: evict it only when bytes are short.
                if (byteExcess <= 0)
                {
                    continue;
                }

                byteExcess -= TopicSize(slot.Key);
            }
            else
            {
                valueExcess--;
                byteExcess -= SizeOf(_values[slot.Key].Record);
            }

            (victims ??= []).Add(slot);
            if (valueExcess <= 0 && byteExcess <= 0)
            {
                break;
            }
        }

        if (valueExcess > 0 || byteExcess > 0)
        {
            return false;
        }

        foreach (var victim in victims!)
        {
            Evict(victim);
        }

        return true;
    }

    private void Evict(KeySlot slot)
    {
        if (!slot.IsTopic)
        {
            RemoveValue(_values[slot.Key], journal: true);
            return;
        }

        foreach (var provider in _topics[slot.Key].Values.ToList())
        {
            RemoveProvider(provider, journal: true);
        }
    }

    private void PurgeExpired(DateTimeOffset now)
    {
        while (_byExpiry.Count > 0 && _byExpiry.Min.ExpiresAtTicks <= now.UtcTicks)
        {
            var slot = _byExpiry.Min;
            if (slot.IsProvider)
            {
                RemoveProvider(_topics[slot.Key][slot.Provider], journal: true);
            }
            else
            {
                RemoveValue(_values[slot.Key], journal: true);
            }

            if (_expiredKeySet.Add(slot.Key))
            {
                _expiredKeys.Add(slot.Key);
            }
        }
    }

    private void AddValue(StoredValue value, bool journal)
    {
        var key = value.Record.Key;
        _values.Add(key, value);
        _byDistance.Add(new KeySlot(key ^ Self, key, IsTopic: false));
        _byExpiry.Add(new ExpirySlot(value.ExpiresAt.UtcTicks, key, default, IsProvider: false));
        _bytes += SizeOf(value.Record);
        CountEntry(value.Source, +1);
        if (journal)
        {
            _journal?.ValueStored(value);
        }
    }

    private void RemoveValue(StoredValue value, bool journal)
    {
        var key = value.Record.Key;
        _values.Remove(key);
        _byDistance.Remove(new KeySlot(key ^ Self, key, IsTopic: false));
        _byExpiry.Remove(new ExpirySlot(value.ExpiresAt.UtcTicks, key, default, IsProvider: false));
        _bytes -= SizeOf(value.Record);
        CountEntry(value.Source, -1);
        if (journal)
        {
            _journal?.ValueRemoved(key);
        }
    }

    private void AddProvider(StoredProvider provider, bool journal)
    {
        var topic = provider.Record.Topic;
        if (!_topics.TryGetValue(topic, out var entries))
        {
            entries = [];
            _topics.Add(topic, entries);
            _byDistance.Add(new KeySlot(topic ^ Self, topic, IsTopic: true));
        }

        entries.Add(provider.ProviderId, provider);
        _byExpiry.Add(new ExpirySlot(provider.ExpiresAt.UtcTicks, topic, provider.ProviderId, IsProvider: true));
        _providerCount++;
        _bytes += SizeOf(provider.Record);
        CountEntry(provider.Source, +1);
        if (journal)
        {
            _journal?.ProviderStored(provider);
        }
    }

    private void RemoveProvider(StoredProvider provider, bool journal)
    {
        var topic = provider.Record.Topic;
        var entries = _topics[topic];
        entries.Remove(provider.ProviderId);
        if (entries.Count == 0)
        {
            _topics.Remove(topic);
            _byDistance.Remove(new KeySlot(topic ^ Self, topic, IsTopic: true));
        }

        _byExpiry.Remove(new ExpirySlot(provider.ExpiresAt.UtcTicks, topic, provider.ProviderId, IsProvider: true));
        _providerCount--;
        _bytes -= SizeOf(provider.Record);
        CountEntry(provider.Source, -1);
        if (journal)
        {
            _journal?.ProviderRemoved(topic, provider.ProviderId);
        }
    }

    private void CountEntry(NodeId source, int delta)
    {
        var count = _entriesPerSource.GetValueOrDefault(source) + delta;
        if (count == 0)
        {
            _entriesPerSource.Remove(source);
        }
        else
        {
            _entriesPerSource[source] = count;
        }
    }

    private long TopicSize(NodeId topic)
    {
        long size = 0;
        foreach (var provider in _topics[topic].Values)
        {
            size += SizeOf(provider.Record);
        }

        return size;
    }

    private static StoredProvider EarliestPublication(Dictionary<NodeId, StoredProvider> entries)
    {
        StoredProvider? earliest = null;
        foreach (var entry in entries.Values)
        {
            if (earliest is null
                || entry.Record.PublishedAtUnixSeconds < earliest.Record.PublishedAtUnixSeconds
                || (entry.Record.PublishedAtUnixSeconds == earliest.Record.PublishedAtUnixSeconds && entry.ProviderId < earliest.ProviderId))
            {
                earliest = entry;
            }
        }

        return earliest!;
    }

    /// <summary>A record's size as counted by the byte quota: its wire encoding, kind byte included.</summary>
    private static int SizeOf(ValueRecord record) => 1 + MessageCodec.GetByteCount(record);

    private static int SizeOf(ProviderRecord record) => MessageCodec.GetByteCount(record);

    /// <summary>
    /// A stored key ordered by its XOR distance from us (unique per key, since XOR with a fixed ID is
    /// a bijection); a key may hold both a value and a topic, hence the flag.
    /// </summary>
    private readonly record struct KeySlot(NodeId Distance, NodeId Key, bool IsTopic) : IComparable<KeySlot>
    {
        public int CompareTo(KeySlot other)
        {
            var byDistance = Distance.CompareTo(other.Distance);
            return byDistance != 0 ? byDistance : IsTopic.CompareTo(other.IsTopic);
        }
    }

    /// <summary>An entry ordered by expiry, in UTC ticks so that offsets cannot make two instants differ.</summary>
    private readonly record struct ExpirySlot(long ExpiresAtTicks, NodeId Key, NodeId Provider, bool IsProvider) : IComparable<ExpirySlot>
    {
        public int CompareTo(ExpirySlot other)
        {
            var order = ExpiresAtTicks.CompareTo(other.ExpiresAtTicks);
            if (order == 0)
            {
                order = IsProvider.CompareTo(other.IsProvider);
            }

            if (order == 0)
            {
                order = Key.CompareTo(other.Key);
            }

            return order != 0 ? order : Provider.CompareTo(other.Provider);
        }
    }
}
