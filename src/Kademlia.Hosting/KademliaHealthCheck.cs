using Kademlia.Engine;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Kademlia.Hosting;

/// <summary>
/// The health of the hosted node: its loop alive and answering, its routing table not empty, and,
/// once its probes know, strangers able to reach a node meant to serve. Registered by <c>AddKademlia</c>.
/// </summary>
/// <remarks>
/// A failure reports the registration's failure status (Unhealthy unless set otherwise); a node set to
/// <see cref="NodeMode.Server"/> that its probes found <see cref="NodeReachability.Private"/> is Degraded.
/// The data carries <c>contacts</c>, <c>sessions</c>, <c>reachability</c> and <c>client</c>.
/// </remarks>
internal sealed class KademliaHealthCheck(HostedDhtNode hosted) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var failure = context.Registration.FailureStatus;
        if (!hosted.TryGetNode(out var node))
        {
            return new HealthCheckResult(failure, "The Kademlia node is not running (not started yet, or stopped with its host).");
        }

        if (node.Completion.IsFaulted)
        {
            return new HealthCheckResult(failure, "The Kademlia node's loop stopped with an error.", node.Completion.Exception?.GetBaseException());
        }

        DhtStatistics statistics;
        try
        {
            // Answered by the node's loop: a loop that is stuck makes the check time out.
            statistics = await node.GetStatisticsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return new HealthCheckResult(failure, "The Kademlia node is not running (stopped with its host).");
        }
        catch (Exception e) when (node.Completion.IsFaulted)
        {
            return new HealthCheckResult(failure, "The Kademlia node's loop stopped with an error.", e);
        }

        var engine = statistics.Engine;
        var data = new Dictionary<string, object>
        {
            ["contacts"] = engine.RoutingTableSize,
            ["sessions"] = engine.Sessions,
            ["reachability"] = engine.Reachability.ToString(),
            ["client"] = engine.IsClient,
        };
        if (engine.RoutingTableSize == 0)
        {
            return new HealthCheckResult(failure, hosted.HasSeeds
                ? "The routing table is empty: joining, no seed has answered yet (or every peer is gone)."
                : "The routing table is empty: no other node has joined this one yet.", data: data);
        }

        if (engine.Reachability == NodeReachability.Private && hosted.Mode == NodeMode.Server)
        {
            return HealthCheckResult.Degraded(
                $"{engine.RoutingTableSize} contacts, but strangers cannot reach this server: open its UDP port in the firewall, or set Advertise to the address forwarded to it.", data: data);
        }

        var role = engine.IsClient ? "client" : "server";
        return HealthCheckResult.Healthy($"{engine.RoutingTableSize} contacts, reachability {engine.Reachability}, {role}.", data);
    }
}
