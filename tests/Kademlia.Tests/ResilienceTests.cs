using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Routing;

namespace Kademlia.Tests;

public sealed class ResilienceTests
{
    private static CancellationToken Guard() => new CancellationTokenSource(LoopbackNetwork.Guard).Token;

    [Fact]
    public async Task At_least_99_of_100_keys_survive_stopping_40_percent_of_the_nodes()
    {
        await using var network = await LoopbackNetwork.StartAsync(30);
        var nodes = network.Nodes;
        var records = Enumerable.Range(0, 100).Select(i => ImmutableRecord.Create(Encoding.UTF8.GetBytes($"key {i} {Guid.NewGuid()}"))).ToList();
        var puts = await Task.WhenAll(records.Select((r, i) => nodes[i % nodes.Count].PutAsync(r, cancellationToken: Guard())));
        Assert.All(puts, p => Assert.True(p.Succeeded));

        var asker = nodes[0];
        var stopped = nodes.Skip(1).Where((_, i) => i % 5 < 2).ToList(); // 12 of 30
        foreach (var node in stopped)
        {
            await node.DisposeAsync();
        }

        var found = 0;
        foreach (var record in records)
        {
            var got = await asker.GetAsync(record.Key, RecordKind.Immutable, Guard());
            if (got.Succeeded)
            {
                found++;
            }
        }

        Assert.True(found >= 99, $"{found} of 100 keys found after stopping {stopped.Count} of {nodes.Count} nodes");
    }

    [Fact]
    public async Task A_node_flooded_with_hostile_packets_keeps_answering_honest_pings()
    {
        await using var network = await LoopbackNetwork.StartAsync(3);
        var victim = network.Nodes[0];
        var honest = network.Nodes[1];
        var flood = new HostileFlood(victim.Info, NetworkParameters.Test.NetworkId, new Random(7));
        var sending = Task.Run(() => flood.Send(victim.LocalEndpoint));

        var answered = 0;
        while (!sending.IsCompleted && answered < 200)
        {
            var pong = await honest.PingAsync(victim.Info, Guard());
            Assert.True(pong.Succeeded);
            answered++;
        }

        await sending;
        var after = await honest.PingAsync(victim.Info, Guard());
        Assert.True(after.Succeeded);
        var drops = (await victim.GetStatisticsAsync()).Engine.Drops;
        long Dropped(string reason) => drops.GetValueOrDefault("session." + reason);

        // Every layer of the receive path was reached, not only the first byte compare: random bytes stop
        // at the header, valid headers at the index lookup or mac1, and initiations with a valid mac1 only
        // after the Diffie-Hellman of the responder's first step.
        Assert.True(Dropped("UnsupportedVersion") + Dropped("WrongNetwork") > 0, "random packets reached the header checks");
        Assert.True(Dropped("UnknownIndex") > 0, "valid-header responses and transport packets reached the index lookup");
        Assert.True(Dropped("InvalidMac1") > 0, "valid-header initiations reached the mac1 check");
        Assert.True(Dropped("HandshakeFailed") > 0, "initiations with a valid mac1 reached the Noise handshake");
    }

    [Fact]
    public async Task Newcomers_first_packets_find_room_in_the_strangers_lane_that_one_socket_of_junk_floods()
    {
        // Issue 12 item 10: one socket of 40-byte junk made 3 of 10 newcomer pings fail, because the
        // strangers' lane had no per-source fairness. The engine loop is held (nothing leaves the
        // queue) while the junk floods the lane until it is refused; then ten newcomers ping.
        using var identity = NodeIdentity.Generate(NetworkParameters.Test);
        var store = new GatedStore(new MemoryRecordStore(identity.Id));
        var logs = new EventLog();
        await using var victim = await DhtNode.StartAsync(new DhtNodeOptions
        {
            Network = NetworkParameters.Test, Bind = new IPEndPoint(IPAddress.Loopback, 0), Identity = identity, Store = store, LoggerFactory = logs,
        });
        var newcomers = new List<DhtNode>();
        for (var i = 0; i < 10; i++)
        {
            newcomers.Add(await DhtNode.StartAsync(new DhtNodeOptions { Network = NetworkParameters.Test, Bind = new IPEndPoint(IPAddress.Loopback, 0) }));
        }

        try
        {
            var held = victim.GetAsync(GatedStore.Key, RecordKind.Immutable, Guard());
            await store.Entered.WaitAsync(Guard());
            using var junk = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            junk.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var random = new Random(3);
            var bytes = new byte[40];
            var guard = Guard();
            long sent = 0;
            while (logs.CountOf(InboxFullEventId) == 0)
            {
                guard.ThrowIfCancellationRequested();
                for (var i = 0; i < 100; i++)
                {
                    random.NextBytes(bytes);
                    junk.SendTo(bytes, victim.LocalEndpoint);
                    sent++;
                }

                await Task.Yield();
            }

            var junkQueued = victim.QueuedFromStrangers;
            Assert.True(junkQueued <= 256, $"one source holds {junkQueued} of the 512 slots");

            // Each newcomer's first packet (its IK initiation) must find a slot while the junk's are refused.
            var pings = newcomers.Select(n => n.PingAsync(victim.Info, Guard()).AsTask()).ToList();
            while (victim.QueuedFromStrangers < junkQueued + newcomers.Count)
            {
                await Task.Delay(10, Guard());
            }

            store.Release();
            await held;
            var pongs = await Task.WhenAll(pings);
            Assert.Equal(10, pongs.Count(p => p.Succeeded));
            var drops = (await victim.GetStatisticsAsync()).Engine.Drops.GetValueOrDefault("runtime.InboxFull");
            Assert.True(drops >= 1, $"{sent} junk datagrams sent, none refused");
        }
        finally
        {
            foreach (var node in newcomers)
            {
                await node.DisposeAsync();
            }
        }
    }

    /// <summary>The stable ID of <c>Log.InboxFull</c>.</summary>
    private const int InboxFullEventId = 10;

    [Fact]
    public async Task An_inbox_overflow_is_logged_once_not_once_per_dropped_datagram()
    {
        using var identity = NodeIdentity.Generate(NetworkParameters.Test);
        var store = new GatedStore(new MemoryRecordStore(identity.Id));
        var logs = new EventLog();
        await using var node = await DhtNode.StartAsync(new DhtNodeOptions
        {
            Network = NetworkParameters.Test, Bind = new IPEndPoint(IPAddress.Loopback, 0), Identity = identity, Store = store, LoggerFactory = logs,
        });

        // Hold the engine loop inside the store, so that nothing leaves the inbound queue, and flood it
        // from a stranger until its 512 slots overflow.
        var held = node.GetAsync(GatedStore.Key, RecordKind.Immutable, Guard());
        await store.Entered.WaitAsync(Guard());
        using var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        stranger.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var guard = Guard();
        while (logs.CountOf(InboxFullEventId) == 0)
        {
            guard.ThrowIfCancellationRequested();
            for (var i = 0; i < 100; i++)
            {
                stranger.SendTo(new byte[8], node.LocalEndpoint);
            }

            await Task.Yield();
        }

        store.Release();
        await held;
        var drops = (await node.GetStatisticsAsync()).Engine.Drops.GetValueOrDefault("runtime.InboxFull");

        Assert.True(drops >= 1, "the overflow was counted");
        Assert.Equal(1, logs.CountOf(InboxFullEventId)); // per dropped datagram it would be as many as the drops
    }

    /// <summary>A memory store whose lookups of <see cref="Key"/> wait until released, holding the engine loop.</summary>
    private sealed class GatedStore(IRecordStore inner) : IRecordStore
    {
        public static readonly NodeId Key = NodeId.Hash("held"u8);
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEventSlim _gate = new();

        public Task Entered => _entered.Task;

        public DateTimeOffset? NextExpiry => inner.NextExpiry;

        public RecordStoreStatistics Statistics => inner.Statistics;

        public void Release() => _gate.Set();

        public StoredValue? Get(NodeId key, DateTimeOffset now)
        {
            if (key == Key)
            {
                _entered.TrySetResult();
                _gate.Wait(LoopbackNetwork.Guard);
            }

            return inner.Get(key, now);
        }

        public StoreError Put(ValueRecord record, RecordSource source, DateTimeOffset now, DateTimeOffset expiresAt, ulong? expectedSequence = null) =>
            inner.Put(record, source, now, expiresAt, expectedSequence);

        public StoreError AddProvider(ProviderRecord record, RecordSource source, DateTimeOffset now, DateTimeOffset expiresAt) =>
            inner.AddProvider(record, source, now, expiresAt);

        public IReadOnlyList<ProviderRecord> GetProviders(NodeId topic, DateTimeOffset now, int max) => inner.GetProviders(topic, now, max);

        public IReadOnlyList<NodeId> RemoveExpired(DateTimeOffset now) => inner.RemoveExpired(now);

        public IReadOnlyList<StoredValue> Values(DateTimeOffset now) => inner.Values(now);

        public IReadOnlyList<StoredTopic> Topics(DateTimeOffset now) => inner.Topics(now);
    }

    /// <summary>
    /// Hostile datagrams built from docs/PROTOCOL.md ("Packets and sessions"), in four kinds taken in
    /// turn: random bytes; a valid header (version, network ID, a non-initiating packet type) and garbage;
    /// a valid header on a handshake message 1 (IK or XX) and garbage; an IK initiation of garbage whose
    /// mac1 is right for the victim, the costliest to reject. They come from many loopback ports, as a
    /// spoofing attacker's would from many addresses, each below the per-source handshake burst (100), so
    /// that the rate limit and cookies do not stop them before the paths this test is about.
    /// </summary>
    private sealed class HostileFlood(NodeInfo victim, uint networkId, Random random)
    {
        private const int Sources = 128;
        private const int PacketsPerSource = 160; // 80 handshake messages 1 per source
        private readonly byte[] _mac1Key = Mac1Key(victim.PublicKey.Span);

        public void Send(IPEndPoint to)
        {
            var sockets = Enumerable.Range(0, Sources).Select(_ =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                return socket;
            }).ToList();
            try
            {
                var packet = new byte[1280];
                for (var i = 0; i < Sources * PacketsPerSource; i++)
                {
                    var length = Build(i % 4, packet);
                    sockets[i % Sources].SendTo(packet.AsSpan(0, length), SocketFlags.None, to);
                }
            }
            finally
            {
                sockets.ForEach(s => s.Dispose());
            }
        }

        private int Build(int kind, byte[] packet)
        {
            var length = kind == 0 ? random.Next(1, packet.Length + 1) : random.Next(192, 428);
            random.NextBytes(packet.AsSpan(0, length));
            if (kind == 0)
            {
                return length;
            }

            packet[0] = 1; // version
            packet[1] = kind switch
            {
                1 => (byte)new[] { 2, 3, 4, 6, 7 }[random.Next(5)], // IK response, cookie, transport, XX 2 and 3
                2 => (byte)(random.Next(2) == 0 ? 1 : 5), // IK initiation or XX message 1
                _ => 1,
            };
            BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(2), networkId);
            if (kind == 3)
            {
                // mac1 = HMAC-SHA256(derive("mac1", responder X25519 static), bytes before mac1)[..16]; mac2 zero.
                var mac1 = length - 32;
                HMACSHA256.HashData(_mac1Key, packet.AsSpan(0, mac1)).AsSpan(0, 16).CopyTo(packet.AsSpan(mac1));
                packet.AsSpan(mac1 + 16, 16).Clear();
            }

            return length;
        }

        /// <summary>derive("mac1", k) = SHA-256("mac1" ‖ k) of the X25519 form of an Ed25519 key.</summary>
        private static byte[] Mac1Key(ReadOnlySpan<byte> ed25519PublicKey) =>
            SHA256.HashData([.. "mac1"u8, .. MontgomeryU(ed25519PublicKey)]);

        /// <summary>The Montgomery u-coordinate (1 + y) / (1 − y) mod 2^255 − 19 of an Ed25519 point.</summary>
        private static byte[] MontgomeryU(ReadOnlySpan<byte> ed25519PublicKey)
        {
            var p = BigInteger.Pow(2, 255) - 19;
            var encoded = ed25519PublicKey.ToArray();
            encoded[31] &= 0x7F; // the top bit is the sign of x
            var y = new BigInteger(encoded, isUnsigned: true);
            var u = (1 + y) * BigInteger.ModPow(((1 - y) % p) + p, p - 2, p) % p;
            var bytes = new byte[32];
            u.TryWriteBytes(bytes, out _, isUnsigned: true);
            return bytes;
        }
    }
}
