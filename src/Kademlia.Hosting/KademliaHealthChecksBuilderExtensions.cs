using Kademlia;
using Kademlia.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary><c>services.AddHealthChecks().AddKademlia()</c>: the health of the node of <c>AddKademliaNode</c>.</summary>
public static class KademliaHealthChecksBuilderExtensions
{
    /// <summary>The default name of the check: <c>kademlia</c>.</summary>
    public const string DefaultName = "kademlia";

    /// <summary>
    /// Adds a check of the hosted node: failing (with <paramref name="failureStatus"/>) while the node is
    /// not running, its loop has stopped or does not answer within <paramref name="timeout"/>, or its
    /// routing table is empty (not joined yet, or every peer gone); Degraded for a node set to
    /// <see cref="NodeMode.Server"/> that strangers cannot reach; Healthy otherwise.
    /// Its data: <c>contacts</c>, <c>sessions</c>, <c>reachability</c>, <c>client</c>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name. Defaults to <see cref="DefaultName"/>.</param>
    /// <param name="failureStatus">The status of a failing check. Defaults to <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by (readiness, liveness, ...).</param>
    /// <param name="timeout">How long the node's loop may take to answer. Defaults to 10 seconds.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static IHealthChecksBuilder AddKademlia(this IHealthChecksBuilder builder, string name = DefaultName, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(
            name,
            provider => new KademliaHealthCheck(provider.GetRequiredService<HostedDhtNode>()),
            failureStatus,
            tags,
            timeout ?? TimeSpan.FromSeconds(10)));
    }
}
