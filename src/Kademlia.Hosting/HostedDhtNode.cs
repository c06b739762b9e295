using System.Net.Sockets;
using Kademlia.Engine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Kademlia.Hosting;

/// <summary>
/// The <see cref="DhtNode"/> of a host, registered by <c>AddKademliaNode</c>: started when the host
/// starts (then joined in the background through <see cref="KademliaNodeOptions.Bootstrap"/>, retrying
/// until a seed answers) and disposed when it stops.
/// </summary>
/// <remarks>
/// Hosted services are built before any of them starts, so a hosted service cannot take the
/// <see cref="DhtNode"/> itself in its constructor: it takes this and awaits <see cref="GetNodeAsync"/>.
/// Code that runs once the host has started (an endpoint, a scoped service) may take <see cref="DhtNode"/> directly.
/// </remarks>
/// <example>
/// <code>
/// sealed class Worker(HostedDhtNode kademlia) : BackgroundService
/// {
///     protected override async Task ExecuteAsync(CancellationToken stoppingToken)
///     {
///         var node = await kademlia.GetNodeAsync(stoppingToken);
///         await node.AnnounceAsync(NodeId.Hash("my-service"u8), cancellationToken: stoppingToken);
///     }
/// }
/// </code>
/// </example>
public sealed partial class HostedDhtNode : IHostedService, IAsyncDisposable, IDisposable
{
    private readonly IOptions<KademliaNodeOptions> _options;
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource<DhtNode> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private DhtNode? _node;
    private Task _join = Task.CompletedTask;
    private volatile BootstrapResult? _joined;

    internal HostedDhtNode(IOptions<KademliaNodeOptions> options, IServiceProvider services, ILogger<HostedDhtNode>? logger)
    {
        _options = options;
        _services = services;
        _logger = logger ?? NullLogger<HostedDhtNode>.Instance;
    }

    /// <summary>The running node.</summary>
    /// <exception cref="InvalidOperationException">The host has not started it yet, or has stopped it.</exception>
    public DhtNode Node => _node is { } node && !_stopping.IsCancellationRequested
        ? node
        : throw new InvalidOperationException(_stopping.IsCancellationRequested
            ? "The Kademlia node has stopped with its host."
            : "The Kademlia node has not started yet: it starts with the host. A hosted service takes HostedDhtNode and awaits GetNodeAsync instead of taking DhtNode in its constructor.");

    /// <summary>
    /// The outcome of the background join once a seed answered; null while joining, and for a node
    /// with no <see cref="KademliaNodeOptions.Bootstrap"/> (the first of its network, joined by others).
    /// </summary>
    public BootstrapResult? Joined => _joined;

    /// <summary>Whether the node joins through seeds (it has a <see cref="KademliaNodeOptions.Bootstrap"/> list).</summary>
    internal bool HasSeeds { get; private set; }

    /// <summary>The node's mode after <see cref="KademliaNodeOptions.ConfigureNode"/>.</summary>
    internal NodeMode Mode { get; private set; }

    /// <summary>The node once the host has started it (at once after that).</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first, or the host stopped without starting the node.</exception>
    /// <exception cref="Exception">The start failed: the exception that failed the host's start (bad settings, a port in use).</exception>
    public Task<DhtNode> GetNodeAsync(CancellationToken cancellationToken = default) => _started.Task.WaitAsync(cancellationToken);

    /// <summary>The running node, or false before start and after stop.</summary>
    internal bool TryGetNode(out DhtNode node)
    {
        node = _node!;
        return node is not null && !_stopping.IsCancellationRequested;
    }

    /// <summary>Starts the node (binding its socket) and its join through the seeds, which goes on in the background.</summary>
    /// <exception cref="OptionsValidationException">The settings are not valid; the message names each bad key.</exception>
    /// <exception cref="InvalidOperationException">The UDP endpoint cannot be bound.</exception>
    async Task IHostedService.StartAsync(CancellationToken cancellationToken)
    {
        DhtNode node;
        KademliaNodeOptions settings;
        try
        {
            settings = _options.Value;
            var options = NodeOptionsFactory.Create(settings, _services);
            Mode = options.Mode;
            try
            {
                node = await DhtNode.StartAsync(options, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw new InvalidOperationException($"Kademlia: cannot bind the UDP endpoint {options.Bind}: {e.Message}", e);
            }
        }
        catch (Exception e)
        {
            // Whoever awaits GetNodeAsync learns why the node never came.
            _started.TrySetException(e);
            throw;
        }

        _node = node;
        _started.TrySetResult(node);
        var seeds = settings.Bootstrap.ToList();
        HasSeeds = seeds.Count > 0;
        if (HasSeeds)
        {
            _join = JoinAsync(node, seeds);
        }
    }

    /// <summary>Stops the join and disposes the node.</summary>
    async Task IHostedService.StopAsync(CancellationToken cancellationToken) => await DisposeAsync().ConfigureAwait(false);

    /// <summary>Stops the join and disposes the node, if the host has not stopped it already.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _started.TrySetCanceled();
        await _join.ConfigureAwait(false);
        if (_node is { } node)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Stops the join and disposes the node, blocking until it has stopped.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task JoinAsync(DhtNode node, List<string> seeds)
    {
        try
        {
            _joined = await node.JoinAsync(seeds, cancellationToken: _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // The node's loop failed (DhtNode logs that, and the health check reports it) or a seed
            // list the validator let through; the node goes on serving whoever finds it.
            LogJoinFailed(_logger, e);
        }
    }

    [LoggerMessage(1, LogLevel.Error, "Joining the Kademlia network failed; the node goes on without its seeds")]
    private static partial void LogJoinFailed(ILogger logger, Exception exception);
}
