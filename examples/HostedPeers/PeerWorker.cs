using System.Text;
using Kademlia;
using Kademlia.Hosting;
using Kademlia.Identity;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace HostedPeers;

/// <summary>Announces this node under the topic, then lists who else is there every few seconds.</summary>
/// <remarks>
/// Takes <see cref="HostedDhtNode"/>, not <see cref="DhtNode"/>: hosted services are built before the
/// host starts the node, so the worker awaits it.
/// </remarks>
internal sealed partial class PeerWorker(HostedDhtNode kademlia, HealthCheckService health, IOptions<PeerSettings> settings, ILogger<PeerWorker> logger) : BackgroundService
{
    private static readonly TimeSpan Round = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var node = await kademlia.GetNodeAsync(stoppingToken);
        var topic = NodeId.Hash(Encoding.UTF8.GetBytes(settings.Value.Topic));
        var name = settings.Value.Name is { Length: > 0 } given ? given : $"{Environment.MachineName}/{Environment.ProcessId}";
        LogStarted(logger, node.ContactString, settings.Value.Topic);

        var announced = false;
        using var timer = new PeriodicTimer(Round);
        do
        {
            var report = await health.CheckHealthAsync(stoppingToken);
            var entry = report.Entries[KademliaHealthChecksBuilderExtensions.DefaultName];
            LogHealth(logger, entry.Status, entry.Description ?? "");

            // The first node of a network announces once another has joined it; the node republishes
            // on its own schedule from then on.
            if (!announced && entry.Status == HealthStatus.Healthy)
            {
                var stored = await node.AnnounceAsync(topic, Encoding.UTF8.GetBytes(name), stoppingToken);
                LogAnnounced(logger, name, stored.Stored, stored.Attempted);
                announced = true;
            }

            var peers = new List<string>();
            await foreach (var provider in node.FindProvidersAsync(topic, cancellationToken: stoppingToken))
            {
                var peer = Encoding.UTF8.GetString(provider.ApplicationData.Span);
                peers.Add(provider.Provider.Id == node.Id ? $"{peer} (this node)" : $"{peer} at {provider.Provider.Endpoint}");
            }

            LogPeers(logger, peers.Count, string.Join(", ", peers));
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(1, LogLevel.Information, "Node up; others join with --Kademlia:Bootstrap:0={Contact}. Topic: {Topic}")]
    private static partial void LogStarted(ILogger logger, string contact, string topic);

    [LoggerMessage(2, LogLevel.Information, "Health: {Status} ({Description})")]
    private static partial void LogHealth(ILogger logger, HealthStatus status, string description);

    [LoggerMessage(3, LogLevel.Information, "Announced as '{Name}': stored on {Stored} of {Attempted} nodes")]
    private static partial void LogAnnounced(ILogger logger, string name, int stored, int attempted);

    [LoggerMessage(4, LogLevel.Information, "{Count} peers under the topic: {Peers}")]
    private static partial void LogPeers(ILogger logger, int count, string peers);
}
