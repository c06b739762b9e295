using System.Net;
using Kademlia.Engine;
using Kademlia.Identity;
using Microsoft.Extensions.Logging;

namespace Kademlia.Cli.Daemon;

/// <summary>What <c>kad node</c> was asked to run.</summary>
internal sealed class NodeDaemonOptions
{
    public required string DataDirectory { get; init; }

    public required NetworkParameters Network { get; init; }

    public required IPEndPoint Bind { get; init; }

    public IPEndPoint? Advertise { get; init; }

    /// <summary>Server, client, or decided by reachability probes. Defaults to <see cref="NodeMode.Auto"/>.</summary>
    public NodeMode Mode { get; init; } = NodeMode.Auto;

    /// <summary>How many of its closest contacts a client keeps NAT mappings open to.</summary>
    public int KeepalivePeers { get; init; } = 8;

    public IReadOnlyList<string> Bootstrap { get; init; } = [];

    /// <summary>Port of the control endpoint on 127.0.0.1; 0 lets the system choose (the control file says which).</summary>
    public int ControlPort { get; init; }

    /// <summary>Where to serve the web dashboard, or null for none (the default).</summary>
    public IPEndPoint? Dashboard { get; init; }

    /// <summary>Where to serve the <c>Kademlia</c> meter in Prometheus text format, or null for nowhere (the default).</summary>
    public IPEndPoint? Metrics { get; init; }

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>How often the routing table is saved besides at shutdown.</summary>
    public TimeSpan SnapshotInterval { get; init; } = TimeSpan.FromMinutes(1);
}
