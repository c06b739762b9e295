namespace Kademlia.Dashboard;

/// <summary>What a <see cref="NodeDashboard"/> shows besides what it reads off the node.</summary>
public sealed class NodeDashboardOptions
{
    /// <summary>The network's name, shown in the header. Defaults to empty.</summary>
    public string NetworkName { get; init; } = "";

    /// <summary>k of the network: a bucket holds at most this many contacts. Defaults to 20.</summary>
    public int K { get; init; } = Identity.NetworkParameters.KValue;

    /// <summary>When the node started, for its uptime. Defaults to when the dashboard was created.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>How often the pages get a fresh snapshot and the traffic charts a sample. Defaults to 1 second.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The clock. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
