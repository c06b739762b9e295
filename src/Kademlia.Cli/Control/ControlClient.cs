using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Kademlia.Cli.Control;

/// <summary>Sends one request to the daemon of a data directory (protocol in <see cref="ControlServer"/>).</summary>
internal static class ControlClient
{
    /// <summary>A daemon on loopback accepts at once; longer means none is there.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    /// <exception cref="CliException">No data directory, no daemon, a refused token, or the daemon's own error.</exception>
    public static async Task<OperationResult> SendAsync(string dataDirectory, ControlRequest request, Func<ProviderSummary, Task>? onProvider, CancellationToken cancellationToken)
    {
        // status only asks a daemon; the other commands can also run one-shot through --bootstrap.
        var oneShotHint = request.Op == "status" ? "; status shows a running daemon, it has no one-shot mode" : ", or give --bootstrap to run one-shot";
        if (!Directory.Exists(dataDirectory))
        {
            throw new CliException(ExitCodes.DataDirectoryMissing, $"data directory {dataDirectory} does not exist (start a daemon with 'kad node --data-dir {dataDirectory}'{oneShotHint}).");
        }

        var control = ControlFile.TryRead(dataDirectory)
            ?? throw new CliException(ExitCodes.NoDaemon, $"no daemon running on {dataDirectory} (start one with 'kad node --data-dir {dataDirectory}'{oneShotHint}).");
        var endpoint = IPEndPoint.Parse(control.Endpoint);
        request.Token = control.Token;

        // The line is ready before connecting: the daemon gives a connection a few seconds to send it,
        // and a cold process on a loaded machine can take that long to serialize its first JSON.
        var line = JsonSerializer.SerializeToUtf8Bytes(request, ControlJson.Default.ControlRequest);
        using var client = new TcpClient(endpoint.AddressFamily);
        using (var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            connect.CancelAfter(ConnectTimeout);
            try
            {
                await client.ConnectAsync(endpoint, connect.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                throw new CliException(ExitCodes.NoDaemon, $"no daemon answers on {endpoint} for {dataDirectory} (it may have crashed; start it again with 'kad node --data-dir {dataDirectory}').", e);
            }
        }

        var stream = client.GetStream();
        byte[] message = [.. line, (byte)'\n'];
        try
        {
            await stream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new CliException(ExitCodes.NoDaemon, $"the daemon on {endpoint} closed the connection: {e.Message}", e);
        }

        using var reader = new StreamReader(stream);
        while (true)
        {
            string? text;
            try
            {
                text = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new CliException(ExitCodes.NoDaemon, $"the daemon on {endpoint} closed the connection: {e.Message}", e);
            }

            if (text is null)
            {
                throw new CliException(ExitCodes.NoDaemon, $"the daemon on {endpoint} closed the connection without an answer.");
            }

            var reply = JsonSerializer.Deserialize(text, ControlJson.Default.ControlReply)
                ?? throw new CliException(ExitCodes.Internal, "the daemon sent an empty reply.");
            if (reply.Provider is { } provider)
            {
                if (onProvider is not null)
                {
                    await onProvider(provider).ConfigureAwait(false);
                }

                continue;
            }

            if (reply.Error is { } error)
            {
                throw new CliException(reply.ExitCode ?? ExitCodes.Internal, error);
            }

            return reply.Result ?? throw new CliException(ExitCodes.Internal, "the daemon sent a reply with neither result nor error.");
        }
    }
}
