using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Kademlia.Cli.Control;

/// <summary>
/// The daemon's control endpoint: TCP on 127.0.0.1 only, one request per connection.
/// </summary>
/// <remarks>
/// <para>Protocol (JSON Lines, UTF-8, each message one line ending in <c>\n</c>):</para>
/// <code>
/// client → daemon   {"token":"&lt;64 hex&gt;","op":"get","key":"&lt;64 hex&gt;","mutable":false}
/// daemon → client   {"provider":{...}}                       zero or more, FIND_PROVIDERS only
///                   {"result":{...}}  or  {"error":"...","exitCode":7}   exactly one, then close
/// </code>
/// <para>
/// The token is 32 random bytes, written with the endpoint to <see cref="ControlFile"/> (owner-only)
/// and compared in constant time. Binding to loopback keeps the endpoint off the network; the token
/// keeps other local users out, since any local process can connect to a loopback port.
/// </para>
/// <para>
/// Unauthenticated connections cannot hold the endpoint (issue 12, item 10: sixteen idle connections
/// used to take all 16 slots for 10 s each, stalling every client). A connection is accepted at once
/// and must send its request line (at most <see cref="MaxRequestBytes"/>, token included) within
/// <see cref="AuthenticationTimeout"/>; at most <see cref="MaxUnauthenticated"/> wait at once, and a
/// newer one closes the oldest. Only a request whose token checks takes one of the
/// <see cref="MaxOperations"/> operation slots. A line that is not a JSON request gets an error line.
/// </para>
/// </remarks>
internal sealed partial class ControlServer : IAsyncDisposable
{
    /// <summary>Longest request line: a 1000-byte value in base64 plus the other fields fits with room.</summary>
    public const int MaxRequestBytes = 16 * 1024;

    /// <summary>Authenticated operations run at once; more wait for a slot.</summary>
    public const int MaxOperations = 16;

    /// <summary>Connections that have not yet sent their request line; a newer one closes the oldest.</summary>
    public const int MaxUnauthenticated = 64;

    /// <summary>Time to send the request line (and so the token) after connecting: `kad` sends it at once.</summary>
    public static readonly TimeSpan AuthenticationTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Longest an operation may run for a client (a lookup takes seconds at most).</summary>
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromMinutes(5);

    private readonly TcpListener _listener;
    private readonly byte[] _token;
    private readonly NodeOperations _operations;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _slots = new(MaxOperations);
    private readonly Lock _unauthenticatedGate = new();
    private readonly LinkedList<CancellationTokenSource> _unauthenticated = new(); // oldest first
    private readonly List<Task> _connections = [];
    private Task _accepting = Task.CompletedTask;

    private readonly TimeSpan _authenticationTimeout;

    private ControlServer(TcpListener listener, byte[] token, NodeOperations operations, ILogger logger, TimeSpan authenticationTimeout)
    {
        _authenticationTimeout = authenticationTimeout;
        _listener = listener;
        _token = token;
        _operations = operations;
        _logger = logger;
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>The token as written to the control file.</summary>
    public string Token => Convert.ToHexStringLower(_token);

    /// <summary>Listens on 127.0.0.1:<paramref name="port"/> (0: any free port).</summary>
    /// <param name="authenticationTimeout">Time to send the request line. Defaults to <see cref="AuthenticationTimeout"/>; tests lengthen it.</param>
    public static ControlServer Start(int port, NodeOperations operations, ILogger logger, TimeSpan? authenticationTimeout = null)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start(MaxOperations * 2);
        var server = new ControlServer(listener, RandomNumberGenerator.GetBytes(32), operations, logger, authenticationTimeout ?? AuthenticationTimeout);
        server._accepting = Task.Run(server.AcceptLoopAsync);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _accepting.ConfigureAwait(false);
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections).ConfigureAwait(false);
        _stopping.Dispose();
        _slots.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var connection = Task.Run(async () =>
            {
                using (client)
                {
                    await ServeAsync(client).ConfigureAwait(false);
                }
            });
            lock (_connections)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(connection);
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        var stream = client.GetStream();
        var tookSlot = false;
        try
        {
            var line = await ReadRequestLineAsync(stream).ConfigureAwait(false);
            ControlRequest? request;
            try
            {
                request = line is null ? null : JsonSerializer.Deserialize(line, ControlJson.Default.ControlRequest);
            }
            catch (JsonException)
            {
                request = null;
            }

            if (request is null)
            {
                await ReplyAsync(stream, new ControlReply { Error = "malformed request.", ExitCode = ExitCodes.Usage }).ConfigureAwait(false);
                return;
            }

            if (!Authenticated(request.Token))
            {
                LogRefused(_logger, client.Client.RemoteEndPoint);
                await ReplyAsync(stream, new ControlReply { Error = "the daemon refused the control token.", ExitCode = ExitCodes.BadToken }).ConfigureAwait(false);
                return;
            }

            using var operation = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            operation.CancelAfter(OperationTimeout);
            await _slots.WaitAsync(operation.Token).ConfigureAwait(false);
            tookSlot = true;
            ControlReply reply;
            try
            {
                var result = await _operations.ExecuteAsync(request, p => ReplyAsync(stream, new ControlReply { Provider = p }), operation.Token).ConfigureAwait(false);
                reply = new ControlReply { Result = result };
            }
            catch (Exception e) when (e is not OutOfMemoryException and not IOException)
            {
                var (code, message) = KadInvocation.Describe(e);
                reply = new ControlReply { Error = message, ExitCode = code == ExitCodes.Interrupted ? ExitCodes.Timeout : code };
            }

            await ReplyAsync(stream, reply).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away, was too slow or was pushed out by newer connections: nothing to answer.
            LogConnectionDropped(_logger, e.Message);
        }
        finally
        {
            if (tookSlot)
            {
                _slots.Release();
            }
        }
    }

    /// <summary>
    /// Reads the request line within <see cref="AuthenticationTimeout"/>, as one of at most
    /// <see cref="MaxUnauthenticated"/> connections waiting so; throws <see cref="OperationCanceledException"/>
    /// when it is too slow or a newer connection pushed it out.
    /// </summary>
    private async Task<string?> ReadRequestLineAsync(NetworkStream stream)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        deadline.CancelAfter(_authenticationTimeout);
        LinkedListNode<CancellationTokenSource> node;
        CancellationTokenSource? pushedOut = null;
        lock (_unauthenticatedGate)
        {
            node = _unauthenticated.AddLast(deadline);
            if (_unauthenticated.Count > MaxUnauthenticated)
            {
                pushedOut = _unauthenticated.First!.Value;
                _unauthenticated.RemoveFirst();
            }
        }

        try
        {
            pushedOut?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It finished meanwhile.
        }

        try
        {
            return await ReadLineAsync(stream, deadline.Token).ConfigureAwait(false);
        }
        finally
        {
            lock (_unauthenticatedGate)
            {
                if (node.List is not null)
                {
                    _unauthenticated.Remove(node);
                }
            }
        }
    }

    private bool Authenticated(string? token)
    {
        if (token is null || token.Length != _token.Length * 2)
        {
            return false;
        }

        var given = new byte[_token.Length];
        return Convert.FromHexString(token, given, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == given.Length
            && CryptographicOperations.FixedTimeEquals(given, _token);
    }

    private static async Task<string?> ReadLineAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxRequestBytes];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            var newline = Array.IndexOf(buffer, (byte)'\n', length, read);
            length += read;
            if (newline >= 0)
            {
                return Encoding.UTF8.GetString(buffer, 0, newline);
            }
        }

        return null;
    }

    private static async Task ReplyAsync(NetworkStream stream, ControlReply reply)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(reply, ControlJson.Default.ControlReply);
        await stream.WriteAsync(bytes).ConfigureAwait(false);
        await stream.WriteAsync("\n"u8.ToArray()).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Control endpoint: refused a request from {Client} with a wrong token")]
    private static partial void LogRefused(ILogger logger, EndPoint? client);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Control endpoint: connection dropped: {Reason}")]
    private static partial void LogConnectionDropped(ILogger logger, string reason);
}
