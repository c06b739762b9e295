using CsCheck;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Routing;
using Kademlia.Wire;
using static Kademlia.Tests.Records.RecordFixtures;

namespace Kademlia.Tests.Records;

/// <summary>
/// What every <see cref="IRecordStore"/> must do. <c>MemoryRecordStoreTests</c> and the SQLite
/// store's tests (which link this file) each derive from it with their own factory.
/// </summary>
public abstract class RecordStoreContract
{
    private static readonly DateTimeOffset Later = T0.AddHours(1);
    private static readonly DateTimeOffset MuchLater = T0.AddHours(2);

    /// <summary>A new empty store.</summary>
    protected abstract IRecordStore Create(NodeId self, RecordStoreLimits? limits = null);

    /// <summary>Iterations of each property test (a durable store opens a database per iteration).</summary>
    protected virtual long PropertyIterations => 200;

    /// <summary>Whether the expired keys a write cleared are still reported after the store is reopened.</summary>
    protected virtual bool ReportsAcrossReopen => true;

    private IRecordStore Create(RecordStoreLimits? limits = null) => Create(Self, limits);

    [Fact]
    public void A_stored_value_is_returned_with_its_source_and_times()
    {
        var store = Create();
        var record = Immutable(1);
        Assert.Equal(StoreError.None, store.Put(record, SourceA, T0, Later));
        var stored = store.Get(record.Key, T0);
        Assert.NotNull(stored);
        Assert.Equal(record, stored.Record);
        Assert.Equal(SourceA, stored.Source);
        Assert.Equal(T0, stored.StoredAt);
        Assert.Equal(Later, stored.ExpiresAt);
        Assert.Null(store.Get(Immutable(2).Key, T0));
    }

    [Fact]
    public void Get_never_returns_an_expired_value()
    {
        var store = Create();
        var record = Immutable(1);
        store.Put(record, SourceA, T0, Later);
        Assert.NotNull(store.Get(record.Key, Later.AddTicks(-1)));
        Assert.Null(store.Get(record.Key, Later));
        Assert.Empty(store.Values(Later));
    }

    [Fact]
    public void Storing_an_immutable_record_again_refreshes_its_expiry_and_never_shortens_it()
    {
        var store = Create();
        var record = Immutable(1);
        store.Put(record, SourceA, T0, Later);
        Assert.Equal(StoreError.None, store.Put(Immutable(1), SourceB, T0.AddMinutes(30), MuchLater));
        var stored = store.Get(record.Key, T0)!;
        Assert.Equal(MuchLater, stored.ExpiresAt);
        Assert.Equal(SourceA, stored.Source);
        Assert.Equal(T0, stored.StoredAt);
        Assert.Equal(StoreError.None, store.Put(record, SourceA, T0, Later));
        Assert.Equal(MuchLater, store.Get(record.Key, T0)!.ExpiresAt);
    }

    [Fact]
    public void A_mutable_record_is_replaced_only_by_a_higher_sequence()
    {
        var store = Create();
        var v2 = Mutable(0, 2, "two");
        Assert.Equal(StoreError.None, store.Put(v2, SourceA, T0, Later));
        Assert.Equal(StoreError.StaleSequence, store.Put(Mutable(0, 1, "one"), SourceA, T0, Later));
        Assert.Equal(v2, store.Get(v2.Key, T0)!.Record);
        var v3 = Mutable(0, 3, "three");
        Assert.Equal(StoreError.None, store.Put(v3, SourceB, T0.AddMinutes(1), MuchLater));
        var stored = store.Get(v2.Key, T0.AddMinutes(1))!;
        Assert.Equal(v3, stored.Record);
        Assert.Equal(SourceB, stored.Source);
        Assert.Equal(T0.AddMinutes(1), stored.StoredAt);
        Assert.Equal(1, store.Statistics.Values);
    }

    [Fact]
    public void The_same_sequence_refreshes_an_identical_record_and_refuses_a_different_one()
    {
        var store = Create();
        var record = Mutable(0, 5, "five");
        store.Put(record, SourceA, T0, Later);
        Assert.Equal(StoreError.None, store.Put(Mutable(0, 5, "five"), SourceA, T0, MuchLater));
        Assert.Equal(MuchLater, store.Get(record.Key, T0)!.ExpiresAt);
        Assert.Equal(StoreError.StaleSequence, store.Put(Mutable(0, 5, "other"), SourceA, T0, MuchLater));
        Assert.Equal(record, store.Get(record.Key, T0)!.Record);
    }

    [Fact]
    public void Compare_and_swap_with_zero_stores_only_when_nothing_is_stored()
    {
        var store = Create();
        var first = Mutable(0, 1, "one");
        Assert.Equal(StoreError.None, store.Put(first, SourceA, T0, Later, expectedSequence: 0));
        Assert.Equal(StoreError.SequenceMismatch, store.Put(Mutable(0, 2, "two"), SourceA, T0, Later, expectedSequence: 0));
        Assert.Equal(first, store.Get(first.Key, T0)!.Record);
    }

    [Fact]
    public void Compare_and_swap_replaces_only_the_expected_sequence()
    {
        var store = Create();
        var key = Mutable(0, 1, "one").Key;
        store.Put(Mutable(0, 1, "one"), SourceA, T0, Later);
        Assert.Equal(StoreError.SequenceMismatch, store.Put(Mutable(0, 3, "three"), SourceA, T0, Later, expectedSequence: 2));
        Assert.Equal(1UL, ((MutableRecord)store.Get(key, T0)!.Record).Sequence);
        Assert.Equal(StoreError.None, store.Put(Mutable(0, 3, "three"), SourceA, T0, Later, expectedSequence: 1));
        Assert.Equal(3UL, ((MutableRecord)store.Get(key, T0)!.Record).Sequence);
        // The expected sequence matching does not lift the sequence rule.
        Assert.Equal(StoreError.StaleSequence, store.Put(Mutable(0, 2, "two"), SourceA, T0, Later, expectedSequence: 3));
    }

    [Fact]
    public void An_expired_record_counts_as_nothing_stored()
    {
        var store = Create();
        var key = Mutable(0, 5, "five").Key;
        store.Put(Mutable(0, 5, "five"), SourceA, T0, Later);
        Assert.Equal(StoreError.None, store.Put(Mutable(0, 1, "one"), SourceA, Later, MuchLater, expectedSequence: 0));
        Assert.Equal(1UL, ((MutableRecord)store.Get(key, Later)!.Record).Sequence);
    }

    [Fact]
    public void An_expected_sequence_for_an_immutable_record_is_a_caller_error()
    {
        var store = Create();
        Assert.Throws<ArgumentException>(() => store.Put(Immutable(1), SourceA, T0, Later, expectedSequence: 0));
    }

    [Fact]
    public void A_value_longer_than_the_store_accepts_is_too_large()
    {
        var store = Create(new RecordStoreLimits { MaxValueSize = 6 });
        Assert.Equal(StoreError.TooLarge, store.Put(Immutable(1), SourceA, T0, Later));
        Assert.Equal(StoreError.None, store.Put(ImmutableRecord.Create("sixsix"u8), SourceA, T0, Later));
        Assert.Equal(1, store.Statistics.Values);
    }

    [Fact]
    public void A_mutable_record_displaces_an_immutable_squat_on_its_key_and_not_the_reverse()
    {
        var store = Create();
        var mutable = Mutable(0, 1, "one");
        var squat = ImmutableRecord.Create([.. mutable.Publisher.Span, .. "salt"u8]);
        Assert.Equal(mutable.Key, squat.Key);
        Assert.Equal(StoreError.None, store.Put(squat, SourceB, T0, Later));
        Assert.Equal(StoreError.SequenceMismatch, store.Put(mutable, SourceA, T0, Later, expectedSequence: 1));
        Assert.Equal(StoreError.None, store.Put(mutable, SourceA, T0, Later, expectedSequence: 0));
        Assert.Equal(mutable, store.Get(mutable.Key, T0)!.Record);
        Assert.Equal(StoreError.StaleSequence, store.Put(squat, SourceB, T0, Later));
        Assert.Equal(1, store.Statistics.Values);
    }

    [Fact]
    public void A_record_that_expires_at_once_is_accepted_and_not_kept()
    {
        var store = Create();
        Assert.Equal(StoreError.None, store.Put(Immutable(1), SourceA, T0, T0));
        Assert.Equal(StoreError.None, store.AddProvider(Provider(0, Topic("t"), 100), SourceA, T0, T0.AddTicks(-1)));
        Assert.Equal(default, store.Statistics);
        Assert.Null(store.NextExpiry);
    }

    [Fact]
    public void Providers_are_listed_most_recently_published_first_up_to_the_maximum()
    {
        var store = Create();
        var topic = Topic("game:poker");
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(StoreError.None, store.AddProvider(Provider(i, topic, (ulong)(100 + (i * 7 % 4))), SourceA, T0, Later));
        }

        var listed = store.GetProviders(topic, T0, 10);
        Assert.Equal(4, listed.Count);
        Assert.Equal(listed.OrderByDescending(p => p.PublishedAtUnixSeconds).Select(p => p.PublishedAtUnixSeconds), listed.Select(p => p.PublishedAtUnixSeconds));
        Assert.Equal(listed.Take(2), store.GetProviders(topic, T0, 2));
        Assert.Empty(store.GetProviders(Topic("other"), T0, 10));
        Assert.Equal(new RecordStoreStatistics(0, 4, 1, listed.Sum(p => (long)MessageCodec.GetByteCount(p) + RecordStoreLimits.Default.EntryOverhead)), store.Statistics);
    }

    [Fact]
    public void Topics_lists_each_topic_with_its_live_providers_and_last_expiry()
    {
        var store = Create();
        var poker = Topic("game:poker");
        var chess = Topic("game:chess");
        store.AddProvider(Provider(0, poker, 100), SourceA, T0, Later);
        store.AddProvider(Provider(1, poker, 100), SourceA, T0, MuchLater);
        store.AddProvider(Provider(2, chess, 100), SourceA, T0, Later);

        var topics = store.Topics(T0).ToDictionary(t => t.Topic);
        Assert.Equal(2, topics.Count);
        Assert.Equal(new StoredTopic(poker, 2, MuchLater), topics[poker]);
        Assert.Equal(new StoredTopic(chess, 1, Later), topics[chess]);

        // At Later the chess provider and one poker provider have expired.
        Assert.Equal([new StoredTopic(poker, 1, MuchLater)], store.Topics(Later));
    }

    [Fact]
    public void A_later_publication_replaces_the_providers_entry_and_an_earlier_one_is_refused()
    {
        var store = Create();
        var topic = Topic("game:poker");
        store.AddProvider(Provider(0, topic, 100, "old"), SourceA, T0, Later);
        Assert.Equal(StoreError.None, store.AddProvider(Provider(0, topic, 200, "new"), SourceA, T0, Later));
        Assert.Equal(StoreError.StaleSequence, store.AddProvider(Provider(0, topic, 150, "older"), SourceA, T0, Later));
        Assert.Equal(StoreError.StaleSequence, store.AddProvider(Provider(0, topic, 200, "same time, other data"), SourceA, T0, Later));
        Assert.Equal(StoreError.None, store.AddProvider(Provider(0, topic, 200, "new"), SourceA, T0, MuchLater));
        var only = Assert.Single(store.GetProviders(topic, T0, 10));
        Assert.Equal(200UL, only.PublishedAtUnixSeconds);
        Assert.Equal(MuchLater, store.NextExpiry);
    }

    [Fact]
    public void A_full_topic_gives_way_to_a_later_publication_by_evicting_the_earliest()
    {
        var store = Create(new RecordStoreLimits { MaxProvidersPerTopic = 3 });
        var topic = Topic("game:poker");
        store.AddProvider(Provider(0, topic, 300), SourceA, T0, Later);
        store.AddProvider(Provider(1, topic, 100), SourceA, T0, Later);
        store.AddProvider(Provider(2, topic, 200), SourceA, T0, Later);
        Assert.Equal(StoreError.QuotaExceeded, store.AddProvider(Provider(3, topic, 100), SourceA, T0, Later));
        Assert.Equal(StoreError.None, store.AddProvider(Provider(3, topic, 150), SourceA, T0, Later));
        var listed = store.GetProviders(topic, T0, 10);
        Assert.Equal([300UL, 200UL, 150UL], listed.Select(p => p.PublishedAtUnixSeconds));
        Assert.DoesNotContain(listed, p => p.Provider.Id == Publisher(1).Id);
        Assert.Equal(3, store.Statistics.Providers);
    }

    [Fact]
    public void A_source_quota_counts_its_values_and_provider_entries()
    {
        var store = Create(new RecordStoreLimits { MaxRecordsPerSource = 2 });
        Assert.Equal(StoreError.None, store.Put(Immutable(1), SourceA, T0, Later));
        Assert.Equal(StoreError.None, store.AddProvider(Provider(0, Topic("t"), 100), SourceA, T0, Later));
        Assert.Equal(StoreError.QuotaExceeded, store.Put(Immutable(2), SourceA, T0, Later));
        Assert.Equal(StoreError.QuotaExceeded, store.AddProvider(Provider(1, Topic("t"), 100), SourceA, T0, Later));
        // What the source already holds can still be refreshed or replaced.
        Assert.Equal(StoreError.None, store.Put(Immutable(1), SourceA, T0, MuchLater));
        Assert.Equal(StoreError.None, store.AddProvider(Provider(0, Topic("t"), 200), SourceA, T0, Later));
        // Other sources, and the node itself, are not affected.
        Assert.Equal(StoreError.None, store.Put(Immutable(2), SourceB, T0, Later));
        Assert.Equal(StoreError.None, store.Put(Immutable(3), Self, T0, Later));
        Assert.Equal(StoreError.None, store.Put(Immutable(4), Self, T0, Later));
        Assert.Equal(StoreError.None, store.Put(Immutable(5), Self, T0, Later));
        // Expiry frees the quota.
        Assert.Equal(StoreError.None, store.Put(Immutable(6), SourceA, Later, MuchLater));
    }

    [Fact]
    public void A_full_store_evicts_the_farthest_key_of_a_prefix_and_refuses_a_key_farther_than_all_of_it()
    {
        var byDistance = Enumerable.Range(0, 10).Select(Immutable).OrderBy(r => r.Key ^ Self).ToArray();
        var store = Create(new RecordStoreLimits { MaxValues = 3 });
        foreach (var record in byDistance[1..4])
        {
            Assert.Equal(StoreError.None, store.Put(record, SourceA, T0, Later));
        }

        Assert.Equal(StoreError.QuotaExceeded, store.Put(byDistance[9], SourceA, T0, Later));
        Assert.Equal(StoreError.None, store.Put(byDistance[0], SourceA, T0, Later));
        Assert.Equal(byDistance[..3], store.Values(T0).Select(v => v.Record));
        Assert.Null(store.Get(byDistance[3].Key, T0));
    }

    [Fact]
    public void Sybils_that_choose_keys_cannot_evict_honest_records_of_other_prefixes_nor_the_nodes_own()
    {
        // The attack of issue 12 item 7, scaled down 64 times: 66 identities in one /24 store values
        // whose keys they ground close to us, 20 each, into a store of 1,024 values.
        var limits = new RecordStoreLimits { MaxValues = 1_024, MaxRecordsPerPrefix = 256 };
        var store = Create(limits);
        var candidates = Enumerable.Range(0, 4_000).Select(i => ImmutableRecord.Create(BitConverter.GetBytes(i))).OrderBy(r => r.Key ^ Self).ToArray();
        var own = candidates[^1];
        var honest = candidates[^11..^1];
        Assert.Equal(StoreError.None, store.Put(own, Self, T0, Later));
        for (var i = 0; i < honest.Length; i++)
        {
            Assert.Equal(StoreError.None, store.Put(honest[i], Peer(i, Subnet(i)), T0, Later));
        }

        var held = SybilFlood(store, candidates, prefixes: 1);
        Assert.Equal(limits.MaxRecordsPerPrefix, held);
        Assert.All(honest, r => Assert.NotNull(store.Get(r.Key, T0)));
        Assert.NotNull(store.Get(own.Key, T0));

        // From five /24s they fill the store, and still take nothing from the others.
        var wider = Create(limits);
        Assert.Equal(StoreError.None, wider.Put(own, Self, T0, Later));
        for (var i = 0; i < honest.Length; i++)
        {
            Assert.Equal(StoreError.None, wider.Put(honest[i], Peer(i, Subnet(i)), T0, Later));
        }

        SybilFlood(wider, candidates, prefixes: 5);
        Assert.Equal(limits.MaxValues, wider.Statistics.Values);
        Assert.All(honest, r => Assert.NotNull(wider.Get(r.Key, T0)));
        Assert.NotNull(wider.Get(own.Key, T0));
        // An honest newcomer from yet another prefix is taken, from the Sybils' share.
        var newcomer = candidates[^12];
        Assert.Equal(StoreError.None, wider.Put(newcomer, Peer(99, Subnet(99)), T0, Later));
        Assert.NotNull(wider.Get(newcomer.Key, T0));

        static int SybilFlood(IRecordStore store, ImmutableRecord[] candidates, int prefixes)
        {
            var held = 0;
            for (var sybil = 0; sybil < 66; sybil++)
            {
                for (var i = 0; i < 20; i++)
                {
                    var source = Peer(1_000 + sybil, SybilSubnet(sybil % prefixes));
                    if (store.Put(candidates[(sybil * 20) + i], source, T0, Later) == StoreError.None)
                    {
                        held++;
                    }
                }
            }

            return held;
        }
    }

    [Fact]
    public void Eviction_takes_from_the_prefix_holding_most_whatever_the_distance()
    {
        var byDistance = Enumerable.Range(0, 20).Select(i => ImmutableRecord.Create(BitConverter.GetBytes(i))).OrderBy(r => r.Key ^ Self).ToArray();
        var store = Create(new RecordStoreLimits { MaxValues = 6 });
        var crowd = Peer(1, Subnet(1));
        var few = Peer(2, Subnet(2));
        foreach (var index in new[] { 0, 2, 4, 6 })
        {
            Assert.Equal(StoreError.None, store.Put(byDistance[index], crowd, T0, Later));
        }

        // The farthest keys are the small prefix's: distance alone would evict them first.
        Assert.Equal(StoreError.None, store.Put(byDistance[18], few, T0, Later));
        Assert.Equal(StoreError.None, store.Put(byDistance[19], few, T0, Later));
        Assert.Equal(StoreError.None, store.Put(byDistance[10], Peer(3, Subnet(3)), T0, Later));
        Assert.Null(store.Get(byDistance[6].Key, T0));
        Assert.NotNull(store.Get(byDistance[18].Key, T0));
        Assert.NotNull(store.Get(byDistance[19].Key, T0));
        // The prefix holding most cannot grow by evicting a smaller one, whichever of its identities
        // asks: only its own keys farther than the newcomer's give way.
        Assert.Equal(StoreError.QuotaExceeded, store.Put(byDistance[11], crowd, T0, Later));
        Assert.Equal(StoreError.QuotaExceeded, store.Put(byDistance[5], Peer(4, Subnet(1)), T0, Later));
        Assert.Equal(StoreError.None, store.Put(byDistance[1], Peer(4, Subnet(1)), T0, Later));
        Assert.Null(store.Get(byDistance[4].Key, T0));
        Assert.NotNull(store.Get(byDistance[1].Key, T0));
        Assert.Equal(6, store.Statistics.Values);
    }

    [Fact]
    public void A_prefix_quota_bounds_all_the_sources_of_one_prefix_together()
    {
        var store = Create(new RecordStoreLimits { MaxRecordsPerPrefix = 3 });
        Assert.Equal(StoreError.None, store.Put(Immutable(1), Peer(1, Subnet(1)), T0, Later));
        Assert.Equal(StoreError.None, store.Put(Immutable(2), Peer(2, Subnet(1)), T0, Later));
        Assert.Equal(StoreError.None, store.AddProvider(Provider(0, Topic("t"), 100), Peer(3, Subnet(1)), T0, Later));
        Assert.Equal(StoreError.QuotaExceeded, store.Put(Immutable(3), Peer(4, Subnet(1)), T0, Later));
        Assert.Equal(StoreError.None, store.Put(Immutable(3), Peer(4, Subnet(2)), T0, Later));
        Assert.Equal(StoreError.None, store.Put(Immutable(4), Self, T0, Later));
    }

    [Fact]
    public void A_topic_flooded_by_future_dated_sybils_of_one_prefix_keeps_room_for_honest_providers()
    {
        // Issue 12 item 8: 64 Sybils dated now + 9 minutes (inside the accepted skew) flood a topic.
        var store = Create();
        var topic = Topic("game:poker");
        var now = T0;
        var sybilDate = (ulong)now.AddMinutes(9).ToUnixTimeSeconds();
        var sybilsHeld = Enumerable.Range(0, 64)
            .Count(i => store.AddProvider(Announce(100 + i, topic, sybilDate, 203_000_000), Peer(100 + i, SybilSubnet(0)), now, Later) == StoreError.None);
        Assert.Equal(RecordStoreLimits.Default.MaxProvidersPerTopicPerPrefix, sybilsHeld);

        now = T0.AddMinutes(1);
        for (var i = 0; i < 10; i++)
        {
            var honestDate = (ulong)now.ToUnixTimeSeconds();
            Assert.Equal(StoreError.None, store.AddProvider(Announce(i, topic, honestDate, 198_000_000 + (i << 8)), Peer(i, Subnet(i)), now, Later));
        }

        var listed = store.GetProviders(topic, now, 100);
        Assert.Equal(18, listed.Count);
        // Dated ahead, they are ranked as of when they were stored: behind the honest providers.
        Assert.All(listed.Take(10), p => Assert.True(p.PublishedAtUnixSeconds <= (ulong)now.ToUnixTimeSeconds()));
    }

    [Fact]
    public void A_full_topic_gives_way_to_honest_providers_not_to_a_burst_of_future_dated_ones()
    {
        // 64 Sybils from 8 prefixes fill a topic, dated 9 minutes ahead.
        var store = Create();
        var topic = Topic("game:poker");
        var sybilDate = (ulong)T0.AddMinutes(9).ToUnixTimeSeconds();
        for (var i = 0; i < 64; i++)
        {
            Assert.Equal(StoreError.None, store.AddProvider(Announce(100 + i, topic, sybilDate, 203_000_000 + i), Peer(100 + i, SybilSubnet(i % 8)), T0, Later));
        }

        var now = T0.AddMinutes(1);
        var honestDate = (ulong)now.ToUnixTimeSeconds();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(StoreError.None, store.AddProvider(Announce(i, topic, honestDate, 198_000_000 + (i << 8)), Peer(i, Subnet(i)), now, Later));
        }

        // A second burst, dated further ahead, takes back only the Sybils' own slots.
        var later = T0.AddMinutes(2);
        var burstDate = (ulong)later.AddMinutes(9).ToUnixTimeSeconds();
        for (var i = 0; i < 64; i++)
        {
            store.AddProvider(Announce(200 + i, topic, burstDate, 203_000_000 + i), Peer(200 + i, SybilSubnet(i % 8)), later, Later);
        }

        var listed = store.GetProviders(topic, later, 100);
        Assert.Equal(RecordStoreLimits.Default.MaxProvidersPerTopic, listed.Count);
        Assert.Equal(10, listed.Count(p => p.PublishedAtUnixSeconds == honestDate));
    }

    [Fact]
    public void A_full_byte_quota_evicts_farther_topics_and_values()
    {
        var values = Enumerable.Range(0, 10).Select(Immutable).OrderBy(r => r.Key ^ Self).ToArray();
        var topic = Enumerable.Range(0, 64).Select(i => Topic($"topic {i}")).Max(t => t ^ Self) ^ Self;
        Assert.True((topic ^ Self) > (values[9].Key ^ Self));
        var provider = Provider(0, topic, 100);
        var store = Create(new RecordStoreLimits { MaxBytes = MessageCodec.GetByteCount(provider) + 20, EntryOverhead = 0 });
        Assert.Equal(StoreError.None, store.AddProvider(provider, SourceA, T0, Later));
        Assert.Equal(StoreError.None, store.Put(values[5], SourceA, T0, Later));
        Assert.Equal(StoreError.None, store.Put(values[8], SourceA, T0, Later));
        Assert.Equal(StoreError.None, store.Put(values[2], SourceA, T0, Later));
        Assert.Empty(store.GetProviders(topic, T0, 10));
        Assert.Equal([values[2], values[5], values[8]], store.Values(T0).Select(v => v.Record));
        Assert.Equal(StoreError.QuotaExceeded, store.AddProvider(provider, SourceA, T0, Later));

        var small = Create(new RecordStoreLimits { MaxBytes = 30, EntryOverhead = 0 });
        foreach (var record in new[] { values[5], values[8], values[2], values[0] })
        {
            Assert.Equal(StoreError.None, small.Put(record, SourceA, T0, Later));
        }

        Assert.Equal(StoreError.QuotaExceeded, small.Put(values[9], SourceA, T0, Later));
        Assert.Equal([values[0], values[2], values[5]], small.Values(T0).Select(v => v.Record));
        Assert.Equal(30, small.Statistics.Bytes);
    }

    [Fact]
    public void Each_entry_counts_its_overhead_against_the_byte_quota()
    {
        // Four small values whose encodings alone would fit in 2 × 1,024 bytes many times over.
        var limits = new RecordStoreLimits { MaxBytes = 2 * 1_024 + 100, EntryOverhead = 1_024 };
        var store = Create(limits);
        var byDistance = Enumerable.Range(0, 4).Select(Immutable).OrderBy(r => r.Key ^ Self).ToArray();
        Assert.Equal(StoreError.None, store.Put(byDistance[2], SourceA, T0, Later));
        Assert.Equal(StoreError.None, store.Put(byDistance[1], SourceA, T0, Later));
        Assert.Equal(StoreError.None, store.Put(byDistance[0], SourceA, T0, Later));
        Assert.Equal(StoreError.QuotaExceeded, store.Put(byDistance[3], SourceA, T0, Later));
        Assert.Equal([byDistance[0], byDistance[1]], store.Values(T0).Select(v => v.Record));
        Assert.Equal(2 * (1_024 + 1 + MessageCodec.GetByteCount(byDistance[0])), store.Statistics.Bytes);
    }

    [Fact]
    public void The_count_of_provider_entries_is_bounded_across_topics()
    {
        var store = Create(new RecordStoreLimits { MaxProviders = 3 });
        var topics = Enumerable.Range(0, 4).Select(i => Topic($"topic {i}")).OrderBy(t => t ^ Self).ToArray();
        Assert.Equal(StoreError.None, store.AddProvider(Provider(0, topics[3], 100), SourceA, T0, Later));
        Assert.Equal(StoreError.None, store.AddProvider(Provider(0, topics[1], 100), SourceA, T0, Later));
        Assert.Equal(StoreError.None, store.AddProvider(Provider(0, topics[2], 100), SourceA, T0, Later));
        Assert.Equal(StoreError.None, store.Put(Immutable(1), SourceA, T0, Later)); // values have their own count
        Assert.Equal(StoreError.None, store.AddProvider(Provider(0, topics[0], 100), SourceA, T0, Later));
        Assert.Equal(3, store.Statistics.Providers);
        Assert.Empty(store.GetProviders(topics[3], T0, 10)); // the farthest topic gave way
        Assert.NotNull(store.Get(Immutable(1).Key, T0));
    }

    [Fact]
    public void Remove_expired_reports_each_removed_key_and_topic_once()
    {
        var store = Create();
        var topic = Topic("t");
        store.Put(Immutable(1), SourceA, T0, T0.AddMinutes(10));
        store.Put(Immutable(2), SourceA, T0, T0.AddMinutes(30));
        store.AddProvider(Provider(0, topic, 100), SourceA, T0, T0.AddMinutes(20));
        store.AddProvider(Provider(1, topic, 100), SourceA, T0, T0.AddMinutes(20));
        Assert.Equal(T0.AddMinutes(10), store.NextExpiry);
        Assert.Empty(store.RemoveExpired(T0.AddMinutes(5)));
        Assert.Equal([Immutable(1).Key, topic], store.RemoveExpired(T0.AddMinutes(20)));
        Assert.Empty(store.RemoveExpired(T0.AddMinutes(20)));
        Assert.Equal(new RecordStoreStatistics(1, 0, 0, 10 + RecordStoreLimits.Default.EntryOverhead), store.Statistics);
        Assert.Equal(T0.AddMinutes(30), store.NextExpiry);
        // An expired entry a write clears out of its way is still reported, once.
        if (!ReportsAcrossReopen)
        {
            return;
        }

        store.Put(Immutable(3), SourceA, T0.AddMinutes(40), T0.AddMinutes(90));
        Assert.Equal([Immutable(2).Key], store.RemoveExpired(T0.AddMinutes(40)));
        Assert.Equal(T0.AddMinutes(90), store.NextExpiry);
    }

    [Fact]
    public void Get_providers_never_returns_an_expired_entry()
    {
        var store = Create();
        var topic = Topic("t");
        store.AddProvider(Provider(0, topic, 100), SourceA, T0, T0.AddMinutes(10));
        store.AddProvider(Provider(1, topic, 100), SourceA, T0, T0.AddMinutes(20));
        Assert.Equal([Publisher(1).Id], store.GetProviders(topic, T0.AddMinutes(10), 10).Select(p => p.Provider.Id));
    }

    [Fact]
    public void The_store_keeps_the_closest_keys_it_was_offered() =>
        Gen.Int[0, 999].List[1, 40].Select(Gen.Int[1, 8]).Sample((indexes, max) =>
        {
            var store = Create(new RecordStoreLimits { MaxValues = max });
            var records = indexes.Distinct().Select(i => ImmutableRecord.Create(BitConverter.GetBytes(i))).ToList();
            foreach (var record in records)
            {
                store.Put(record, Self, T0, Later);
            }

            var expected = records.OrderBy(r => r.Key ^ Self).Take(max).Select(r => r.Key);
            return expected.SequenceEqual(store.Values(T0).Select(v => v.Record.Key));
        }, iter: PropertyIterations);

    [Fact]
    public void Quotas_hold_under_any_sequence_of_writes() =>
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, 5], Gen.Int[0, 2], Gen.Int[0, 3]).List[1, 60].Sample(ops =>
        {
            var limits = new RecordStoreLimits { MaxValues = 4, MaxProviders = 3, MaxBytes = 700, EntryOverhead = 64, MaxProvidersPerTopic = 2, MaxRecordsPerSource = 3 };
            var store = Create(limits);
            var sources = new[] { SourceA, SourceB, Self };
            var now = T0;
            var live = new Dictionary<(NodeId, NodeId), NodeId>();
            foreach (var (kind, index, source, minutes) in ops)
            {
                now = now.AddMinutes(minutes);
                var expires = now.AddMinutes(5);
                _ = kind switch
                {
                    0 => store.Put(Immutable(index), sources[source], now, expires),
                    1 => store.Put(Mutable(index % 2, (ulong)minutes, $"v{index}"), sources[source], now, expires),
                    _ => store.AddProvider(Provider(index, Topic($"t{kind}"), (ulong)(now - T0).TotalSeconds), sources[source], now, expires),
                };

                var statistics = store.Statistics;
                if (statistics.Values > limits.MaxValues || statistics.Providers > limits.MaxProviders || statistics.Bytes > limits.MaxBytes)
                {
                    return false;
                }

                foreach (var topic in new[] { Topic("t2"), Topic("t3") })
                {
                    if (store.GetProviders(topic, now, 100).Count > limits.MaxProvidersPerTopic)
                    {
                        return false;
                    }
                }

                var perSource = store.Values(now).Select(v => v.Source).Where(s => s != Self).GroupBy(s => s);
                if (perSource.Any(g => g.Count() > limits.MaxRecordsPerSource))
                {
                    return false;
                }
            }

            return true;
        }, iter: PropertyIterations);

    /// <summary>
    /// Random puts of mutable records (few keys, sequences and values, with and without
    /// compare-and-swap, with expiry) against a reference model of the sequence rules.
    /// </summary>
    [Fact]
    public void Sequence_and_compare_and_swap_rules_match_a_reference_model()
    {
        // CsCheck samples on several threads at once: the cache of signed records must be concurrent.
        var records = new System.Collections.Concurrent.ConcurrentDictionary<(int, int, ulong, int), MutableRecord>();
        MutableRecord RecordOf(int publisher, int salt, ulong sequence, int value) =>
            records.GetOrAdd((publisher, salt, sequence, value), key => Mutable(key.Item1, key.Item3, $"value {key.Item4}", $"salt {key.Item2}"));

        var genPut = Gen.Select(Gen.Int[0, 1], Gen.Int[0, 1], Gen.ULong[0, 3], Gen.Int[0, 1], Gen.Int[-1, 3],
            (p, s, q, v, e) => new ModelOp(p, s, q, v, e < 0 ? null : (ulong)e));
        var genOp = Gen.Frequency((1, Gen.Const((ModelOp?)null)), (9, genPut.Select(op => (ModelOp?)op)));
        genOp.List[1, 40].Sample(ops =>
        {
            var store = Create();
            var model = new Dictionary<(int, int), (ulong Sequence, int Value)>();
            var now = T0;
            foreach (var op in ops)
            {
                if (op is null)
                {
                    // Time passes beyond every expiry: the model forgets everything.
                    now = now.AddHours(2);
                    model.Clear();
                    continue;
                }

                var expected = Expect(model, op);
                var actual = store.Put(RecordOf(op.Publisher, op.Salt, op.Sequence, op.Value), SourceA, now, now.AddHours(1), op.Expected);
                if (actual != expected)
                {
                    return false;
                }

                for (var p = 0; p < 2; p++)
                {
                    for (var s = 0; s < 2; s++)
                    {
                        var stored = store.Get(RecordOf(p, s, 0, 0).Key, now)?.Record as MutableRecord;
                        var modelled = model.TryGetValue((p, s), out var m) ? RecordOf(p, s, m.Sequence, m.Value) : null;
                        if (!Equals(stored, modelled))
                        {
                            return false;
                        }
                    }
                }
            }

            return true;
        }, iter: PropertyIterations);
    }

    private static StoreError Expect(Dictionary<(int, int), (ulong Sequence, int Value)> model, ModelOp op)
    {
        var has = model.TryGetValue((op.Publisher, op.Salt), out var stored);
        if (op.Expected is { } expected && (has ? stored.Sequence : 0) != expected)
        {
            return StoreError.SequenceMismatch;
        }

        if (has && op.Sequence <= stored.Sequence)
        {
            return op.Sequence == stored.Sequence && op.Value == stored.Value ? StoreError.None : StoreError.StaleSequence;
        }

        model[(op.Publisher, op.Salt)] = (op.Sequence, op.Value);
        return StoreError.None;
    }

    private sealed record ModelOp(int Publisher, int Salt, ulong Sequence, int Value, ulong? Expected);

    /// <summary>The /24 192.0.(i).0 of an honest source.</summary>
    private static uint Subnet(int index) => 0xC6330000 | ((uint)index << 8) | 1;

    /// <summary>The /24 of a Sybil prefix, in 100.64.0.0/10.</summary>
    private static uint SybilSubnet(int index) => 0x64400000 | ((uint)index << 8) | 7;

    private static RecordSource Peer(int index, uint address) =>
        RecordSource.ForPeer(NodeId.Hash(BitConverter.GetBytes(index)), NodeEndpoint.FromIPv4(address, (ushort)(7000 + (index % 1000))), loopbackPerEndpoint: false);

    private static readonly Dictionary<int, NodeIdentity> AnnounceIdentities = [];

    /// <summary>A provider record of identity <paramref name="index"/> (ground at difficulty 0) at an address.</summary>
    private static ProviderRecord Announce(int index, NodeId topic, ulong publishedAt, int address)
    {
        NodeIdentity identity;
        lock (AnnounceIdentities)
        {
            if (!AnnounceIdentities.TryGetValue(index, out identity!))
            {
                identity = NodeIdentity.FromPrivateSeed(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(index + 77_000)), 0);
                AnnounceIdentities[index] = identity;
            }
        }

        return ProviderRecord.Create(identity, topic, NodeEndpoint.FromIPv4((uint)address, 6000), publishedAt, []);
    }
}
