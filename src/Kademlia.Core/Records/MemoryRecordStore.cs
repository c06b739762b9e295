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
/// Within a topic an entry is ranked by its publication time, but never later than when it was
/// stored (a Sybil dating its entries ahead, within the clock skew the engine accepts, gains
/// nothing). A topic keeps at most <see cref="RecordStoreLimits.MaxProvidersPerTopic"/> providers,
/// at most <see cref="RecordStoreLimits.MaxProvidersPerTopicPerPrefix"/> of them from one source
/// prefix. A prefix at its cap replaces its own earliest entry with a later one. In a full topic a
/// newcomer displaces the earliest entry of the prefix with the most entries when that prefix would
/// still have more than the newcomer's; otherwise the earliest entry among the prefixes at least as
/// large as the newcomer's, and only if the newcomer ranks later. Anything else is refused
/// (<see cref="StoreError.QuotaExceeded"/>), so a burst from a few prefixes never displaces providers
/// from the others.</para>
/// <para><b>Quotas.</b> The store holds at most <see cref="RecordStoreLimits.MaxValues"/> values,
/// <see cref="RecordStoreLimits.MaxProviders"/> provider entries and
/// <see cref="RecordStoreLimits.MaxBytes"/> bytes, each entry counted as its encoding plus
/// <see cref="RecordStoreLimits.EntryOverhead"/>. One source may hold <see cref="RecordStoreLimits.MaxRecordsPerSource"/>
/// entries (values plus provider entries it stored) and one prefix
/// <see cref="RecordStoreLimits.MaxRecordsPerPrefix"/> (see <see cref="RecordSource"/>). The node's
/// own records (source = <see cref="Self"/>) are exempt, bounded by the totals only, and never evicted
/// for another source's record. When the total count of values, of provider entries or of bytes is full, eviction is fair
/// across prefixes: the victim is the entry farthest (by XOR from the node's own ID, since the closest
/// keys are the ones this node is responsible for) of the prefix holding the most entries, provided
/// that prefix would still hold more than the newcomer's; otherwise the newcomer's own prefix gives
/// up an entry farther than the newcomer's key. A record for which nothing can be evicted so is
/// refused and nothing is evicted. The node's own records take room from the largest prefix, or
/// when only its own records are stored, from its own farther keys.</para>
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
    private readonly Dictionary<ulong, SortedSet<EntrySlot>> _entriesPerPrefix = [];
    private readonly SortedSet<PrefixSize> _prefixesBySize = [];
    private readonly SortedSet<EntrySlot> _ownEntries = [];
    private readonly SortedSet<ExpirySlot> _byExpiry = [];
    private readonly List<NodeId> _expiredKeys = [];
    private readonly HashSet<NodeId> _expiredKeySet = [];
    private int _providerCount;
    private long _bytes;

    /// <summary>An empty store for the node <paramref name="self"/>.</summary>
    /// <param name="self">The node's own ID: its records are never evicted, and eviction keeps the keys closest to it.</param>
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
    public StoreError Put(ValueRecord record, RecordSource source, DateTimeOffset now, DateTimeOffset expiresAt, ulong? expectedSequence = null)
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

        if (!HasQuota(source, stored?.Source))
        {
            return StoreError.QuotaExceeded;
        }

        var addedBytes = SizeOf(record) - (stored is null ? 0 : SizeOf(stored.Record));
        var victims = PlanEviction(record.Key, source, stored is null ? 1 : 0, 0, addedBytes, stored is null ? null : SlotOf(stored));
        if (victims is null)
        {
            return StoreError.QuotaExceeded;
        }

        if (stored is not null)
        {
            // Replaced in place: the journal's upsert of the new value covers the old one.
            RemoveValue(stored, journal: false);
        }

        Evict(victims);
        AddValue(new StoredValue(record, source, now, expiresAt), journal: true);
        return StoreError.None;
    }

    /// <inheritdoc/>
    public StoredValue? Get(NodeId key, DateTimeOffset now) =>
        _values.TryGetValue(key, out var stored) && stored.ExpiresAt > now ? stored : null;

    /// <inheritdoc/>
    public StoreError AddProvider(ProviderRecord record, RecordSource source, DateTimeOffset now, DateTimeOffset expiresAt)
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
        if (stored is null && entries is not null && !TryMakeRoomInTopic(entries, source, Rank(record, now), out displaced))
        {
            return StoreError.QuotaExceeded;
        }

        var replaced = stored ?? displaced;
        if (!HasQuota(source, replaced?.Source))
        {
            return StoreError.QuotaExceeded;
        }

        var addedBytes = SizeOf(record) - (replaced is null ? 0 : SizeOf(replaced.Record));
        var victims = PlanEviction(record.Topic, source, 0, replaced is null ? 1 : 0, addedBytes, replaced is null ? null : SlotOf(replaced));
        if (victims is null)
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

        Evict(victims);
        AddProvider(new StoredProvider(record, source, now, expiresAt), journal: true);
        return StoreError.None;
    }

    /// <inheritdoc/>
    /// <remarks>Ranked by publication time, an entry dated after it was stored counting as dated then.</remarks>
    public IReadOnlyList<ProviderRecord> GetProviders(NodeId topic, DateTimeOffset now, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        if (max == 0 || !_topics.TryGetValue(topic, out var entries))
        {
            return [];
        }

        return entries.Values
            .Where(e => e.ExpiresAt > now)
            .OrderByDescending(e => e.RankUnixSeconds)
            .ThenByDescending(e => e.Record.PublishedAtUnixSeconds)
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
    public IReadOnlyList<StoredValue> Values(DateTimeOffset now) =>
        [.. _values.Values.Where(v => v.ExpiresAt > now).OrderBy(v => v.Record.Key ^ Self)];

    /// <inheritdoc/>
    /// <remarks>Closest to the node's own ID first.</remarks>
    public IReadOnlyList<StoredTopic> Topics(DateTimeOffset now) =>
    [
        .. _topics
            .Select(t => (Topic: t.Key, Live: t.Value.Values.Where(p => p.ExpiresAt > now).ToList()))
            .Where(t => t.Live.Count > 0)
            .OrderBy(t => t.Topic ^ Self)
            .Select(t => new StoredTopic(t.Topic, t.Live.Count, t.Live.Max(p => p.ExpiresAt))),
    ];

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
    /// After restoring under limits smaller than those the entries were stored under, evicts by the
    /// fairness rule (the farthest entry of the largest prefix, the node's own records last) until
    /// the totals fit again (journaled). Expired entries go first.
    /// </summary>
    internal void TrimToLimits(DateTimeOffset now)
    {
        PurgeExpired(now);
        while (_values.Count > Limits.MaxValues || _providerCount > Limits.MaxProviders || _bytes > Limits.MaxBytes)
        {
            var kinds = _bytes > Limits.MaxBytes ? Kinds.Any : _values.Count > Limits.MaxValues ? Kinds.Values : Kinds.Providers;
            var victim = Largest(kinds, [], []) is { } prefix
                ? Farthest(_entriesPerPrefix[prefix.Prefix], kinds, [], beyond: null)
                : Farthest(_ownEntries, kinds, [], beyond: null);
            if (victim is not { } slot)
            {
                break;
            }

            Evict([slot]);
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

    /// <summary>
    /// Whether <paramref name="source"/> may gain an entry in place of one stored by
    /// <paramref name="replaced"/> (null: a new entry): its own quota and its prefix's.
    /// </summary>
    private bool HasQuota(RecordSource source, RecordSource? replaced)
    {
        if (source.Id == Self)
        {
            return true;
        }

        if (replaced?.Id != source.Id && _entriesPerSource.GetValueOrDefault(source.Id) >= Limits.MaxRecordsPerSource)
        {
            return false;
        }

        var samePrefix = replaced is { } r && r.Id != Self && r.Prefix == source.Prefix;
        return samePrefix || PrefixCount(source.Prefix) < Limits.MaxRecordsPerPrefix;
    }

    /// <summary>
    /// Chooses the entry a newcomer of <paramref name="rank"/> from <paramref name="source"/> displaces
    /// in a topic (see the remarks of the class); false when it is refused.
    /// </summary>
    private bool TryMakeRoomInTopic(Dictionary<NodeId, StoredProvider> entries, RecordSource source, long rank, out StoredProvider? displaced)
    {
        displaced = null;
        var own = source.Id == Self;
        var perPrefix = new Dictionary<ulong, int>();
        foreach (var entry in entries.Values)
        {
            if (entry.Source.Id != Self)
            {
                perPrefix[entry.Source.Prefix] = perPrefix.GetValueOrDefault(entry.Source.Prefix) + 1;
            }
        }

        var mine = own ? 0 : perPrefix.GetValueOrDefault(source.Prefix);
        if (!own && mine >= Limits.MaxProvidersPerTopicPerPrefix)
        {
            displaced = Earliest(entries, e => e.Source.Prefix == source.Prefix);
            return displaced is not null && rank > displaced.RankUnixSeconds;
        }

        if (entries.Count < Limits.MaxProvidersPerTopic)
        {
            return true;
        }

        var largest = perPrefix.Count == 0 ? 0 : perPrefix.Values.Max();
        if (largest > 0 && (own || largest > mine + 1))
        {
            displaced = Earliest(entries, e => perPrefix.GetValueOrDefault(e.Source.Prefix) == largest);
            return true;
        }

        // Every prefix is about the newcomer's size: the earliest among those no smaller than its
        // own gives way to a later newcomer, so that a small prefix never shrinks for a larger one.
        displaced = Earliest(entries, e => perPrefix.GetValueOrDefault(e.Source.Prefix) >= mine);
        return displaced is not null && rank > displaced.RankUnixSeconds;

        StoredProvider? Earliest(Dictionary<NodeId, StoredProvider> entries, Func<StoredProvider, bool> eligible)
        {
            StoredProvider? earliest = null;
            foreach (var entry in entries.Values)
            {
                if (entry.Source.Id == Self || !eligible(entry))
                {
                    continue;
                }

                if (earliest is null
                    || entry.RankUnixSeconds < earliest.RankUnixSeconds
                    || (entry.RankUnixSeconds == earliest.RankUnixSeconds && entry.ProviderId < earliest.ProviderId))
                {
                    earliest = entry;
                }
            }

            return earliest;
        }
    }

    /// <summary>
    /// The entries to evict so that <paramref name="newValues"/> more values,
    /// <paramref name="newProviders"/> more provider entries and <paramref name="newBytes"/> more bytes fit for a record under <paramref name="key"/> from
    /// <paramref name="source"/> (<paramref name="replacing"/>, the entry it replaces, is never
    /// chosen), by the fairness rule of the class remarks; null when there are not enough. Plans
    /// first and evicts only if the plan frees enough, so a refused record costs nothing stored.
    /// </summary>
    private List<EntrySlot>? PlanEviction(NodeId key, RecordSource source, int newValues, int newProviders, long newBytes, EntrySlot? replacing)
    {
        var valueExcess = (long)_values.Count + newValues - Limits.MaxValues;
        var providerExcess = (long)_providerCount + newProviders - Limits.MaxProviders;
        var byteExcess = _bytes + newBytes - Limits.MaxBytes;
        var victims = new List<EntrySlot>();
        if (valueExcess <= 0 && providerExcess <= 0 && byteExcess <= 0)
        {
            return victims;
        }

        var own = source.Id == Self;
        var distance = key ^ Self;
        var taken = new HashSet<EntrySlot>();
        if (replacing is { } replaced)
        {
            taken.Add(replaced);
        }

        var takenPerPrefix = new Dictionary<ulong, int>();
        while (valueExcess > 0 || providerExcess > 0 || byteExcess > 0)
        {
            // Only a value frees a value slot and only a provider entry a provider slot; when bytes
            // are short too, any entry will do.
            var kinds = byteExcess > 0 ? Kinds.Any : valueExcess > 0 ? Kinds.Values : Kinds.Providers;
            var newcomers = own ? 0 : PrefixCount(source.Prefix) - takenPerPrefix.GetValueOrDefault(source.Prefix) + 1;
            EntrySlot? victim;
            if (Largest(kinds, taken, takenPerPrefix) is { } largest
                && (own || (largest.Prefix != source.Prefix && largest.Count > newcomers)))
            {
                victim = Farthest(_entriesPerPrefix[largest.Prefix], kinds, taken, beyond: null);
                takenPerPrefix[largest.Prefix] = takenPerPrefix.GetValueOrDefault(largest.Prefix) + 1;
            }
            else
            {
                var mine = own ? _ownEntries : _entriesPerPrefix.GetValueOrDefault(source.Prefix);
                victim = mine is null ? null : Farthest(mine, kinds, taken, beyond: distance);
                if (!own)
                {
                    takenPerPrefix[source.Prefix] = takenPerPrefix.GetValueOrDefault(source.Prefix) + 1;
                }
            }

            if (victim is not { } slot)
            {
                return null;
            }

            taken.Add(slot);
            victims.Add(slot);
            if (slot.IsProvider)
            {
                providerExcess--;
                byteExcess -= SizeOf(_topics[slot.Key][slot.Provider].Record);
            }
            else
            {
                valueExcess--;
                byteExcess -= SizeOf(_values[slot.Key].Record);
            }
        }

        return victims;
    }

    /// <summary>
    /// The prefix holding the most entries once <paramref name="takenPerPrefix"/> are gone, among
    /// those with an entry left to evict; the node's own records belong to none.
    /// </summary>
    private PrefixSize? Largest(Kinds kinds, HashSet<EntrySlot> taken, Dictionary<ulong, int> takenPerPrefix)
    {
        PrefixSize? best = null;
        foreach (var size in _prefixesBySize.Reverse())
        {
            if (best is { } found && size.Count <= found.Count)
            {
                break;
            }

            var left = size.Count - takenPerPrefix.GetValueOrDefault(size.Prefix);
            if ((best is null || left > best.Value.Count) && Farthest(_entriesPerPrefix[size.Prefix], kinds, taken, beyond: null) is not null)
            {
                best = new PrefixSize(left, size.Prefix);
            }
        }

        return best;
    }

    /// <summary>The farthest entry of <paramref name="entries"/> not taken, if farther than <paramref name="beyond"/>.</summary>
    private static EntrySlot? Farthest(SortedSet<EntrySlot> entries, Kinds kinds, HashSet<EntrySlot> taken, NodeId? beyond)
    {
        foreach (var slot in entries.Reverse())
        {
            if (beyond is { } distance && slot.Distance <= distance)
            {
                return null;
            }

            if (!taken.Contains(slot) && (kinds == Kinds.Any || (kinds == Kinds.Providers) == slot.IsProvider))
            {
                return slot;
            }
        }

        return null;
    }

    private void Evict(List<EntrySlot> victims)
    {
        foreach (var slot in victims)
        {
            if (slot.IsProvider)
            {
                RemoveProvider(_topics[slot.Key][slot.Provider], journal: true);
            }
            else
            {
                RemoveValue(_values[slot.Key], journal: true);
            }
        }
    }

    private int PrefixCount(ulong prefix) => _entriesPerPrefix.TryGetValue(prefix, out var entries) ? entries.Count : 0;

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
        _byExpiry.Add(new ExpirySlot(value.ExpiresAt.UtcTicks, key, default, IsProvider: false));
        _bytes += SizeOf(value.Record);
        CountEntry(value.Source, SlotOf(value), +1);
        if (journal)
        {
            _journal?.ValueStored(value);
        }
    }

    private void RemoveValue(StoredValue value, bool journal)
    {
        var key = value.Record.Key;
        _values.Remove(key);
        _byExpiry.Remove(new ExpirySlot(value.ExpiresAt.UtcTicks, key, default, IsProvider: false));
        _bytes -= SizeOf(value.Record);
        CountEntry(value.Source, SlotOf(value), -1);
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
        }

        entries.Add(provider.ProviderId, provider);
        _byExpiry.Add(new ExpirySlot(provider.ExpiresAt.UtcTicks, topic, provider.ProviderId, IsProvider: true));
        _providerCount++;
        _bytes += SizeOf(provider.Record);
        CountEntry(provider.Source, SlotOf(provider), +1);
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
        }

        _byExpiry.Remove(new ExpirySlot(provider.ExpiresAt.UtcTicks, topic, provider.ProviderId, IsProvider: true));
        _providerCount--;
        _bytes -= SizeOf(provider.Record);
        CountEntry(provider.Source, SlotOf(provider), -1);
        if (journal)
        {
            _journal?.ProviderRemoved(topic, provider.ProviderId);
        }
    }

    private void CountEntry(RecordSource source, EntrySlot slot, int delta)
    {
        var count = _entriesPerSource.GetValueOrDefault(source.Id) + delta;
        if (count == 0)
        {
            _entriesPerSource.Remove(source.Id);
        }
        else
        {
            _entriesPerSource[source.Id] = count;
        }

        if (source.Id == Self)
        {
            _ = delta > 0 ? _ownEntries.Add(slot) : _ownEntries.Remove(slot);
            return;
        }

        if (!_entriesPerPrefix.TryGetValue(source.Prefix, out var entries))
        {
            entries = [];
            _entriesPerPrefix.Add(source.Prefix, entries);
        }

        _prefixesBySize.Remove(new PrefixSize(entries.Count, source.Prefix));
        _ = delta > 0 ? entries.Add(slot) : entries.Remove(slot);
        if (entries.Count == 0)
        {
            _entriesPerPrefix.Remove(source.Prefix);
        }
        else
        {
            _prefixesBySize.Add(new PrefixSize(entries.Count, source.Prefix));
        }
    }

    private EntrySlot SlotOf(StoredValue value) => new(value.Record.Key ^ Self, value.Record.Key, IsProvider: false, default);

    private EntrySlot SlotOf(StoredProvider provider) => new(provider.Record.Topic ^ Self, provider.Record.Topic, IsProvider: true, provider.ProviderId);

    /// <summary>A newcomer's rank in its topic: its publication time, no later than <paramref name="now"/>.</summary>
    private static long Rank(ProviderRecord record, DateTimeOffset now) =>
        Math.Min((long)Math.Min(record.PublishedAtUnixSeconds, long.MaxValue), now.ToUnixTimeSeconds());

    /// <summary>
    /// An entry's size as counted by the byte quota: its wire encoding (kind byte included) plus the
    /// per-entry overhead of <see cref="RecordStoreLimits.EntryOverhead"/>.
    /// </summary>
    private int SizeOf(ValueRecord record) => 1 + MessageCodec.GetByteCount(record) + Limits.EntryOverhead;

    private int SizeOf(ProviderRecord record) => MessageCodec.GetByteCount(record) + Limits.EntryOverhead;

    /// <summary>
    /// A stored entry (a value, or one provider of a topic) ordered by its key's XOR distance from us
    /// (unique per key, since XOR with a fixed ID is a bijection), then values before providers.
    /// </summary>
    private readonly record struct EntrySlot(NodeId Distance, NodeId Key, bool IsProvider, NodeId Provider) : IComparable<EntrySlot>
    {
        public int CompareTo(EntrySlot other)
        {
            var order = Distance.CompareTo(other.Distance);
            if (order == 0)
            {
                order = IsProvider.CompareTo(other.IsProvider);
            }

            return order != 0 ? order : Provider.CompareTo(other.Provider);
        }
    }

    /// <summary>Which entries an eviction may take: only a value frees a value slot, only a provider entry a provider slot.</summary>
    private enum Kinds
    {
        Any,
        Values,
        Providers,
    }

    /// <summary>A source prefix ordered by how many entries it holds.</summary>
    private readonly record struct PrefixSize(int Count, ulong Prefix) : IComparable<PrefixSize>
    {
        public int CompareTo(PrefixSize other)
        {
            var order = Count.CompareTo(other.Count);
            return order != 0 ? order : Prefix.CompareTo(other.Prefix);
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
