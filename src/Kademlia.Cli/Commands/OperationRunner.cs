using System.Net;
using System.Net.Sockets;
using Kademlia.Cli.Control;
using Kademlia.Engine;
using Kademlia.Identity;

namespace Kademlia.Cli.Commands;

/// <summary>
/// Runs a request through the daemon of the data directory, or one-shot: a temporary node with a
/// fresh identity joins through <c>--bootstrap</c>, runs the request and leaves. A one-shot node
/// keeps nothing, so a mutable record it publishes is signed by a key that is then lost; use a
/// daemon for records you will update.
/// </summary>
internal static class OperationRunner
{
    public static async Task<OperationResult> RunAsync(ClientSettings settings, ControlRequest request, Func<ProviderSummary, Task>? onProvider, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(settings.Timeout);
        try
        {
            return settings.OneShot
                ? await RunOneShotAsync(settings, request, onProvider, limit.Token).ConfigureAwait(false)
                : await ControlClient.SendAsync(settings.DataDirectory, request, onProvider, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Timeout, $"{request.Op} did not finish within {settings.Timeout.TotalSeconds:0.#} s (--timeout).");
        }
    }

    private static async Task<OperationResult> RunOneShotAsync(ClientSettings settings, ControlRequest request, Func<ProviderSummary, Task>? onProvider, CancellationToken cancellationToken)
    {
        var (contacts, addresses) = await CommonOptions.ResolveSeedsAsync(settings.Bootstrap, cancellationToken).ConfigureAwait(false);
        // Bind the family of the seeds: a dual-stack socket fails on hosts with IPv6 turned off.
        var ipv4Only = contacts.All(c => c.Endpoint.IsIPv4) && addresses.All(a => a.AddressFamily == AddressFamily.InterNetwork);
        var loopbackOnly = contacts.All(c => c.Endpoint.IsLoopback) && addresses.All(a => a is IPEndPoint { Address: var ip } && IPAddress.IsLoopback(ip));
        var bind = loopbackOnly && ipv4Only ? IPAddress.Loopback : ipv4Only ? IPAddress.Any : IPAddress.IPv6Any;
        using var identity = await Task.Run(() => NodeIdentity.Generate(settings.Network, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        // A client: the node leaves as soon as the request is done, so it must not enter anyone's table
        // (where it would linger as a dead contact); it still does every operation through others.
        var node = await DhtNode.StartAsync(new DhtNodeOptions { Network = settings.Network, Bind = new IPEndPoint(bind, 0), Identity = identity, Mode = NodeMode.Client }, cancellationToken).ConfigureAwait(false);
        await using (node.ConfigureAwait(false))
        {
            var joined = await node.BootstrapAsync(contacts, addresses, cancellationToken).ConfigureAwait(false);
            if (joined.TableSize == 0)
            {
                var seeds = string.Join(", ", settings.Bootstrap);
                throw new CliException(ExitCodes.BootstrapUnreachable, joined.Failure == OperationFailure.WrongNetwork
                    ? $"bootstrap unreachable: none of {seeds} answered, and packets of another network arrived: the bootstrap runs a different --network (this node: {CommonOptions.PresetName(settings.Network)})."
                    : $"bootstrap unreachable: none of {seeds} answered (down, or on a different --network than this node's '{CommonOptions.PresetName(settings.Network)}': nodes drop another network's packets without a word).");
            }

            var operations = new NodeOperations(node, identity, settings.Network, DateTimeOffset.UtcNow);
            return await operations.ExecuteAsync(request, onProvider, cancellationToken).ConfigureAwait(false);
        }
    }
}
