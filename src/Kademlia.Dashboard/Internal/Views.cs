using Kademlia.Engine;
using Kademlia.Identity;

namespace Kademlia.Dashboard.Internal;

// The JSON the pages read. Field names are the page's contract (wwwroot/*.js); IDs are 64 hex digits.

/// <summary>One node as the node page draws it, sent as the <c>snapshot</c> event.</summary>
internal sealed record NodeView(
    string Id,
    string Contact,
    string Network,
    string LocalEndpoint,
    double UptimeSeconds,
    string? ExternalEndpoint,
    string Reachability,
    string Mode,
    int K,
    int QueriesActive,
    IReadOnlyList<ContactView> Contacts,
    IReadOnlyList<ValueView> Values,
    IReadOnlyList<TopicView> Topics,
    TrafficView Traffic);

/// <summary>A routing-table contact.</summary>
internal sealed record ContactView(string Id, string Endpoint, int Bucket, double? RttMs, int Failures, int Reputation, double SeenSecondsAgo);

/// <summary>A value the node holds.</summary>
internal sealed record ValueView(string Key, string Kind, int Bytes, bool Own, double TtlSeconds);

/// <summary>A topic the node holds providers of.</summary>
internal sealed record TopicView(string Topic, int Providers, double TtlSeconds);

/// <summary>Per-second traffic over the last minutes, oldest first, and totals since the start.</summary>
internal sealed record TrafficView(
    int IntervalSeconds,
    IReadOnlyList<long> PacketsIn,
    IReadOnlyList<long> PacketsOut,
    IReadOnlyList<long> BytesIn,
    IReadOnlyList<long> BytesOut,
    IReadOnlyDictionary<string, IReadOnlyList<long>> Drops,
    long TotalPacketsIn,
    long TotalPacketsOut,
    long TotalDrops);

/// <summary>One answered or failed request of a lookup, sent as the <c>step</c> event as it happens.</summary>
/// <param name="Query">The operation, e.g. <c>q12</c>.</param>
/// <param name="Target">The ID or key looked up.</param>
/// <param name="Peer">The node asked.</param>
/// <param name="Request">FindNode, Get, GetProviders while walking; Put, AddProvider when storing.</param>
/// <param name="RttMs">Its answer's round trip, or null when it did not answer.</param>
/// <param name="From">The node that runs the lookup (its index on the network page; 0 on the node page).</param>
/// <param name="Bits">Leading bits the peer's ID shares with the target: the lookup's progress in XOR space.</param>
internal sealed record StepView(string Query, int From, string Target, string Peer, string Request, double? RttMs, int Bits);

/// <summary>A finished lookup with its path, sent as the <c>done</c> event.</summary>
internal sealed record DoneView(string Query, int From, string Target, string Operation, bool Succeeded, int Hops, int Messages, double Ms, IReadOnlyList<HopView> Path);

/// <summary>One hop of a finished lookup's path.</summary>
internal sealed record HopView(string Peer, int Depth, int Bits, double? RttMs);

/// <summary>The demo network, sent as the <c>snapshot</c> event of the network page.</summary>
internal sealed record NetworkView(int K, int Alive, IReadOnlyList<NetworkNodeView> Nodes, string? FeaturedKey, IReadOnlyList<NarrationView> Story);

/// <summary>One node of the network: where it sits on the ring (by ID), whether it runs, what it holds.</summary>
internal sealed record NetworkNodeView(int Index, string Id, bool Alive, int Contacts, IReadOnlyList<string> Holds);

/// <summary>One line of the demo's story.</summary>
internal sealed record NarrationView(double At, string Text, string? Key, bool? Succeeded);

internal static class ViewMapping
{
    public static StepView Step(LookupStepped step, int from) => new(
        step.Query.ToString(), from, step.Target.ToString(), step.Peer.ToString(), step.Request.ToString(),
        step.Rtt?.TotalMilliseconds, step.Peer.CommonPrefixLength(step.Target));

    public static DoneView Done(QueryFinished finished, NodeId target, int from) => new(
        finished.Query.ToString(), from, target.ToString(), Operation(finished.Result), finished.Result.Succeeded, finished.Result.Hops,
        finished.Result.MessagesSent, finished.Result.Duration.TotalMilliseconds,
        [.. finished.Result.Path.Select(h => new HopView(h.Node.Id.ToString(), h.Depth, h.Node.Id.CommonPrefixLength(target), h.Rtt?.TotalMilliseconds))]);

    public static string Operation(QueryResult result) => result switch
    {
        FindNodeResult => "find",
        GetResult => "get",
        StoreResult => "store",
        FindProvidersResult => "providers",
        _ => "other",
    };
}
