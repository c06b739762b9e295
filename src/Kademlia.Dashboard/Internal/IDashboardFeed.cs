namespace Kademlia.Dashboard.Internal;

/// <summary>What a <see cref="DashboardServer"/> serves: a page, its snapshot, its live events and lookups on demand.</summary>
internal interface IDashboardFeed
{
    /// <summary>The embedded page served at <c>/</c>.</summary>
    string Page { get; }

    /// <summary>Where the feed sends <c>snapshot</c>, <c>step</c>, <c>done</c> and <c>story</c> events.</summary>
    Broadcast Events { get; }

    /// <summary>The state a page draws, as sent in the <c>snapshot</c> event.</summary>
    Task<object> SnapshotAsync(CancellationToken cancellationToken);

    /// <summary>Starts a FIND_NODE lookup of <paramref name="target"/> (random when null) from node <paramref name="from"/> and returns how it went.</summary>
    Task<object> LookupAsync(Identity.NodeId? target, int from, CancellationToken cancellationToken);
}
