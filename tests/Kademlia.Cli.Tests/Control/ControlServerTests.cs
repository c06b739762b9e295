using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Kademlia.Cli;
using Kademlia.Cli.Control;
using Kademlia.Identity;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kademlia.Cli.Tests.Control;

/// <summary>
/// Issue 12, item 10: connections without a token cannot hold the control endpoint. Before, sixteen
/// idle connections took all 16 slots for 10 s each and every client stalled behind them.
/// </summary>
public sealed class ControlServerTests : IAsyncLifetime
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private NodeIdentity _identity = null!;
    private DhtNode _node = null!;

    public async Task InitializeAsync()
    {
        _identity = NodeIdentity.Generate(NetworkParameters.Test);
        _node = await DhtNode.StartAsync(new DhtNodeOptions
        {
            Network = NetworkParameters.Test, Bind = new IPEndPoint(IPAddress.Loopback, 0), Identity = _identity,
        });
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _identity.Dispose();
    }

    [Fact]
    public async Task Idle_connections_without_a_token_do_not_hold_the_slots_of_an_authenticated_client()
    {
        // The idle connections would have 60 s to send their token: the status request must be answered
        // while every one of them is still open, so they cannot be what it waited for.
        await using var server = Start(authenticationTimeout: TimeSpan.FromSeconds(60));
        var idle = new List<TcpClient>();
        try
        {
            // Four times the operation slots; one fewer than the waiting limit, which the request's own
            // connection would otherwise exceed, pushing out the oldest idle one.
            for (var i = 0; i < ControlServer.MaxUnauthenticated - 1; i++)
            {
                idle.Add(await ConnectAsync(server));
            }

            var reply = await RequestAsync(server, $$"""{"token":"{{server.Token}}","op":"status"}""");
            Assert.True(reply.TryGetProperty("result", out _), reply.ToString());
            Assert.All(idle, client => Assert.False(IsClosedByServer(client), "an idle connection was closed before the client was served"));
        }
        finally
        {
            idle.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task A_connection_that_sends_no_token_is_closed_after_the_deadline()
    {
        await using var server = Start();
        using var idle = await ConnectAsync(server);
        var buffer = new byte[256];
        using var guard = new CancellationTokenSource(Guard);
        Assert.Equal(0, await idle.GetStream().ReadAsync(buffer, guard.Token)); // closed without a reply
    }

    [Fact]
    public async Task Beyond_the_unauthenticated_limit_the_oldest_waiting_connection_is_closed()
    {
        await using var server = Start(authenticationTimeout: TimeSpan.FromSeconds(60));
        var clients = new List<TcpClient>();
        try
        {
            for (var i = 0; i <= ControlServer.MaxUnauthenticated; i++)
            {
                clients.Add(await ConnectAsync(server));
            }

            using var guard = new CancellationTokenSource(Guard);
            Assert.Equal(0, await clients[0].GetStream().ReadAsync(new byte[256], guard.Token));
            Assert.All(clients.Skip(1), client => Assert.False(IsClosedByServer(client)));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1,2,3]")]
    [InlineData("null")]
    public async Task A_malformed_request_gets_an_error_line(string line)
    {
        await using var server = Start();
        var reply = await RequestAsync(server, line);
        Assert.Equal("malformed request.", reply.GetProperty("error").GetString());
        Assert.Equal(ExitCodes.Usage, reply.GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task A_wrong_token_is_refused_with_an_error_line()
    {
        await using var server = Start();
        var reply = await RequestAsync(server, $$"""{"token":"{{new string('0', 64)}}","op":"status"}""");
        Assert.Equal(ExitCodes.BadToken, reply.GetProperty("exitCode").GetInt32());
    }

    private ControlServer Start(TimeSpan? authenticationTimeout = null) =>
        ControlServer.Start(0, new NodeOperations(_node, _identity, NetworkParameters.Test, DateTimeOffset.UtcNow), NullLogger.Instance, authenticationTimeout);

    private static async Task<TcpClient> ConnectAsync(ControlServer server)
    {
        var client = new TcpClient();
        using var guard = new CancellationTokenSource(Guard);
        await client.ConnectAsync(server.EndPoint, guard.Token);
        return client;
    }

    /// <summary>Sends one line and reads the one reply line.</summary>
    private static async Task<JsonElement> RequestAsync(ControlServer server, string line)
    {
        using var client = await ConnectAsync(server);
        using var guard = new CancellationTokenSource(Guard);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), guard.Token);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var reply = await reader.ReadLineAsync(guard.Token);
        Assert.NotNull(reply);
        return JsonDocument.Parse(reply).RootElement.Clone();
    }

    /// <summary>Whether the server closed the connection: readable with nothing to read is an end of stream.</summary>
    private static bool IsClosedByServer(TcpClient client) =>
        client.Client.Poll(0, SelectMode.SelectRead) && client.Client.Available == 0;
}
