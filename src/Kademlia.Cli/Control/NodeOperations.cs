using System.Diagnostics;
using System.Net;
using System.Text;
using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Routing;

namespace Kademlia.Cli.Control;

/// <summary>
/// Runs a <see cref="ControlRequest"/> on a <see cref="DhtNode"/>: the one place that turns a request
/// into library calls, used by the daemon for its control endpoint and by the one-shot mode.
/// </summary>
/// <param name="node">The running node.</param>
/// <param name="identity">Its identity, which signs mutable records.</param>
/// <param name="network">Its network (for the value size limit).</param>
/// <param name="startedAt">When the node started, for the uptime in <c>status</c>.</param>
internal sealed class NodeOperations(DhtNode node, NodeIdentity identity, NetworkParameters network, DateTimeOffset startedAt)
{
    /// <summary>Largest provider application data the engine accepts.</summary>
    public const int MaxApplicationData = 128;

    public async Task<OperationResult> ExecuteAsync(ControlRequest request, Func<ProviderSummary, Task>? onProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clock = Stopwatch.StartNew();
        var result = request.Op switch
        {
            "put" => await PutAsync(request, cancellationToken).ConfigureAwait(false),
            "get" => await GetAsync(request, cancellationToken).ConfigureAwait(false),
            "announce" => await AnnounceAsync(request, cancellationToken).ConfigureAwait(false),
            "providers" => await ProvidersAsync(request, onProvider, cancellationToken).ConfigureAwait(false),
            "find" => await FindAsync(request, cancellationToken).ConfigureAwait(false),
            "ping" => await PingAsync(request, cancellationToken).ConfigureAwait(false),
            "status" => await StatusAsync().ConfigureAwait(false),
            _ => throw new CliException(ExitCodes.Usage, $"unknown operation '{request.Op}'."),
        };
        result.Op = request.Op;
        result.DurationMs = clock.Elapsed.TotalMilliseconds;
        return result;
    }

    /// <summary>A 64-hex-digit ID, or a usage error naming <paramref name="what"/>.</summary>
    public static NodeId ParseId(string? text, string what) =>
        NodeId.TryParse(text, out var id) ? id : throw new CliException(ExitCodes.Usage, $"{what} must be 64 hex digits, got '{text}'.");

    /// <summary>
    /// A topic: 64 hex digits are taken as the topic ID itself; any other text names the topic and
    /// is hashed (SHA-256 of its UTF-8), so people can share names like "chess-lobby".
    /// </summary>
    public static NodeId TopicId(string topic) =>
        NodeId.TryParse(topic, out var id) ? id : NodeId.Hash(Encoding.UTF8.GetBytes(topic));

    private async Task<OperationResult> PutAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        var value = request.Value ?? [];
        if (value.Length > network.MaxValueSize)
        {
            throw new CliException(ExitCodes.Usage, $"the value is {value.Length} bytes; this network allows {network.MaxValueSize}.");
        }

        ValueRecord record;
        ulong? expected = request.ExpectedSequence;
        if (request.Mutable)
        {
            var salt = request.Salt ?? [];
            var sequence = request.Sequence;
            if (sequence is null)
            {
                // Publish one past the highest sequence the network holds, and only over that one
                // (compare-and-swap), so two concurrent writers cannot silently overwrite each other.
                var key = MutableRecord.KeyOf(identity.PublicIdentity, salt);
                var current = await node.GetAsync(key, RecordKind.Mutable, cancellationToken).ConfigureAwait(false);
                var found = (current.Record as MutableRecord)?.Sequence ?? 0;
                sequence = found + 1;
                expected ??= found;
            }

            record = MutableRecord.Create(identity, salt, sequence.Value, value);
        }
        else
        {
            record = ImmutableRecord.Create(value);
            expected = null;
        }

        var stored = await node.PutAsync(record, expected, cancellationToken).ConfigureAwait(false);
        var result = FromStore(stored);
        result.Key = record.Key.ToString();
        result.Sequence = (record as MutableRecord)?.Sequence;
        return result;
    }

    private async Task<OperationResult> GetAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        var key = ParseId(request.Key, "the key");
        var kind = request.Mutable ? RecordKind.Mutable : RecordKind.Immutable;
        var got = await node.GetAsync(key, kind, cancellationToken).ConfigureAwait(false);
        var value = got.Record?.Value.ToArray();
        string? otherKind = null;
        if (got.Record is null)
        {
            // A miss may be the wrong kind asked: say so rather than "not found".
            var other = kind == RecordKind.Mutable ? RecordKind.Immutable : RecordKind.Mutable;
            var found = await node.GetAsync(key, other, cancellationToken).ConfigureAwait(false);
            otherKind = found.Record is null ? null : other == RecordKind.Mutable ? "mutable" : "immutable";
        }

        return new OperationResult
        {
            Succeeded = got.Record is not null,
            OtherKind = otherKind,
            Failure = got.Record is null ? got.Failure.ToString() : null,
            Key = key.ToString(),
            Value = value,
            Text = value is null ? null : AsText(value),
            Sequence = (got.Record as MutableRecord)?.Sequence,
            FirstSequence = (got.FirstRecord as MutableRecord)?.Sequence,
            FirstValueMs = got.FirstFoundAfter?.TotalMilliseconds,
            Holders = got.HoldersSeen,
            Path = PathOf(got, key),
            Messages = got.MessagesSent,
        };
    }

    private async Task<OperationResult> AnnounceAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        var topic = ParseId(request.Topic, "the topic");
        var data = request.Data ?? [];
        if (data.Length > MaxApplicationData)
        {
            throw new CliException(ExitCodes.Usage, $"announce data is {data.Length} bytes; at most {MaxApplicationData} are allowed.");
        }

        StoreResult stored;
        try
        {
            stored = await node.AnnounceAsync(topic, data, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.NoReachableAddress, "this node knows no address others can reach it at yet: pass --advertise to kad node, or wait until peers agree on the address they see (kad status).", e);
        }

        var result = FromStore(stored);
        result.Key = topic.ToString();
        return result;
    }

    private async Task<OperationResult> ProvidersAsync(ControlRequest request, Func<ProviderSummary, Task>? onProvider, CancellationToken cancellationToken)
    {
        var topic = ParseId(request.Topic, "the topic");
        var max = request.Max ?? 100;
        if (max < 1)
        {
            throw new CliException(ExitCodes.Usage, "--max must be at least 1.");
        }

        var providers = new List<ProviderSummary>();
        await foreach (var provider in node.FindProvidersAsync(topic, max, cancellationToken).ConfigureAwait(false))
        {
            var data = provider.ApplicationData.ToArray();
            var summary = new ProviderSummary(provider.Provider.Id.ToString(), ContactString.Format(provider.Provider), data, AsText(data), DateTimeOffset.FromUnixTimeSeconds((long)provider.PublishedAtUnixSeconds));
            providers.Add(summary);
            if (onProvider is not null)
            {
                await onProvider(summary).ConfigureAwait(false);
            }
        }

        return new OperationResult { Succeeded = providers.Count > 0, Key = topic.ToString(), Providers = providers };
    }

    private async Task<OperationResult> FindAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        var target = ParseId(request.Target, "the target");
        var found = await node.FindNodeAsync(target, cancellationToken).ConfigureAwait(false);
        return new OperationResult
        {
            Succeeded = found.Succeeded && found.Closest.Count > 0,
            Key = target.ToString(),
            Closest = found.Closest.Select(n => new NodeSummary(n.Id.ToString(), ContactString.Format(n), n.Id.CommonPrefixLength(target))).ToList(),
            Path = PathOf(found, target),
            Messages = found.MessagesSent,
        };
    }

    private async Task<OperationResult> PingAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        var peer = request.Peer ?? "";
        PingResult pong;
        if (SeedSyntax.Problem(peer) is { } problem)
        {
            throw new CliException(ExitCodes.Usage, problem);
        }

        if (ContactString.TryParse(peer, out var contact, out var address))
        {
            pong = contact is { } known
                ? await node.PingAsync(known, cancellationToken).ConfigureAwait(false)
                : await node.PingAsync(address!, cancellationToken).ConfigureAwait(false);
        }
        else if (ContactString.TryParseHost(peer, out var host, out var port))
        {
            pong = await node.PingAsync(new IPEndPoint(await ResolveAsync(host, cancellationToken).ConfigureAwait(false), port), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            throw new UnreachableException("SeedSyntax.Problem accepts only contact strings and host:port.");
        }

        return new OperationResult
        {
            Succeeded = pong.Succeeded && pong.Peer is not null,
            Peer = pong.Peer is { } p ? new NodeSummary(p.Id.ToString(), ContactString.Format(p)) : null,
            RttMs = pong.Succeeded ? pong.Rtt.TotalMilliseconds : null,
            ObservedEndpoint = pong.Succeeded ? pong.ObservedEndpoint.ToString() : null,
            Messages = pong.MessagesSent,
        };
    }

    private async Task<OperationResult> StatusAsync()
    {
        var stats = await node.GetStatisticsAsync().ConfigureAwait(false);
        var contacts = await node.GetRoutingTableAsync().ConfigureAwait(false);
        var published = await node.GetPublishedAsync().ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow;
        var engine = stats.Engine;
        return new OperationResult
        {
            Succeeded = true,
            Status = new StatusSummary
            {
                Id = node.Id.ToString(),
                Contact = node.ContactString,
                Network = network.Name,
                UptimeSeconds = Math.Round((DateTimeOffset.UtcNow - startedAt).TotalSeconds, 1),
                ExternalEndpoint = engine.ExternalEndpoint?.ToString(),
                Reachability = engine.Reachability.ToString(),
                Probes = engine.ReachabilityProbes,
                Mode = engine.IsClient ? "client" : "server",
                Buckets = stats.Buckets.OrderBy(b => b.Key).Select(b => new BucketSummary(b.Key, b.Value)).ToList(),
                TableSize = engine.RoutingTableSize,
                Contacts = contacts
                    .OrderByDescending(c => c.Bucket).ThenBy(c => c.Node.Id)
                    .Select(c => new ContactSummary(
                        c.Node.Id.ToString(),
                        c.Node.Endpoint.ToString(),
                        c.Bucket,
                        c.SmoothedRtt is { } rtt ? Math.Round(rtt.TotalMilliseconds, 1) : null,
                        c.ConsecutiveFailures,
                        c.Reputation,
                        Math.Round(Math.Max(0, (now - c.LastSeen).TotalSeconds), 1)))
                    .ToList(),
                Published = published
                    .Select(p => new PublishedSummary(p.Key.ToString(), p.IsAnnouncement ? "announcement" : "value", Math.Round(Math.Max(0, (p.NextRepublish - now).TotalSeconds))))
                    .ToList(),
                Values = stats.Records.Values,
                Providers = stats.Records.Providers,
                Topics = stats.Records.Topics,
                RecordBytes = stats.Records.Bytes,
                PacketsIn = engine.PacketsIn,
                PacketsOut = engine.PacketsOut,
                BytesIn = engine.BytesIn,
                BytesOut = engine.BytesOut,
                RequestsServed = engine.RequestsServed,
                RequestsSent = engine.RequestsSent,
                RequestTimeouts = engine.RequestTimeouts,
                QueriesStarted = engine.QueriesStarted,
                QueriesActive = engine.QueriesActive,
                Sessions = engine.Sessions,
                AppMessagesSent = engine.AppMessagesSent,
                AppMessagesDelivered = engine.AppMessagesDelivered,
                PunchesStarted = engine.PunchesStarted,
                PunchesSucceeded = engine.PunchesSucceeded,
                RendezvousClients = engine.RendezvousClients,
                RelayCircuits = engine.RelayCircuits,
                RelayCircuitsOpened = engine.RelayCircuitsOpened,
                RelayedFrames = engine.RelayedFrames,
                RelayedBytes = engine.RelayedBytes,
                KeptPaths = engine.KeptPaths,
                KeptPathPunches = engine.KeptPathPunches,
                KeptPathUpgrades = engine.KeptPathUpgrades,
                Drops = new Dictionary<string, long>(engine.Drops),
            },
        };
    }

    /// <summary>Resolves a host name for ping and bootstrap; a name that does not resolve is an unreachable peer.</summary>
    public static async Task<IPAddress> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            return addresses.Length > 0 ? addresses[0] : throw new CliException(ExitCodes.BootstrapUnreachable, $"host '{host}' has no address.");
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new CliException(ExitCodes.BootstrapUnreachable, $"cannot resolve host '{host}': {e.Message}", e);
        }
    }

    private static OperationResult FromStore(StoreResult stored) => new()
    {
        Succeeded = stored.Succeeded && stored.Stored > 0,
        Failure = stored.Succeeded && stored.Stored > 0 ? null : stored.Failure.ToString(),
        Stored = stored.Stored,
        Attempted = stored.Attempted,
        Rejections = stored.Rejections.Count == 0 ? null : stored.Rejections.ToDictionary(r => r.Key.ToString(), r => r.Value),
        Messages = stored.MessagesSent,
    };

    private static List<HopSummary>? PathOf(QueryResult result, NodeId target) =>
        result.Path.Count == 0 ? null : result.Path.Select(h => new HopSummary(h.Depth, h.Node.Id.ToString(), ContactString.Format(h.Node), h.Node.Id.CommonPrefixLength(target), h.Rtt?.TotalMilliseconds)).ToList();

    private static string? AsText(byte[] value)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(value);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
