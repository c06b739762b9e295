using System.Net.Http.Headers;
using System.Security.Cryptography;
using Kademlia.Tests;

namespace Kademlia.Dashboard.Tests;

/// <summary>A small loopback network with a dashboard served for one of its nodes, on 127.0.0.1.</summary>
internal sealed class DashboardHarness : IAsyncDisposable
{
    /// <summary>A guard against a hung test, never an assertion about speed.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private DashboardHarness(LoopbackNetwork network, NodeDashboard dashboard, DashboardServer server, string token)
    {
        Network = network;
        Dashboard = dashboard;
        Server = server;
        Token = token;
    }

    public LoopbackNetwork Network { get; }

    /// <summary>The node the dashboard shows.</summary>
    public DhtNode Node => Network.Nodes[1];

    public NodeDashboard Dashboard { get; }

    public DashboardServer Server { get; }

    public string Token { get; }

    public static async Task<DashboardHarness> StartAsync(int nodes = 6)
    {
        var network = await LoopbackNetwork.StartAsync(nodes);
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var dashboard = new NodeDashboard(network.Nodes[1], new NodeDashboardOptions { NetworkName = "test" });
        var server = await DashboardServer.StartAsync(dashboard, new DashboardServerOptions { Token = token });
        return new DashboardHarness(network, dashboard, server, token);
    }

    /// <summary>A client of the dashboard, with <paramref name="bearer"/> as its token when given.</summary>
    public HttpClient Client(string? bearer = null)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = Server.Address, Timeout = Guard };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Dashboard.DisposeAsync();
        await Network.DisposeAsync();
    }
}

internal static class Wait
{
    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> after the guard.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? guard = null)
    {
        var deadline = DateTime.UtcNow + (guard ?? DashboardHarness.Guard);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"gave up waiting: {what}");
            await Task.Delay(100);
        }
    }
}
