using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Kademlia.Cli.Tests;

/// <summary><c>kad node --dashboard</c>: the daemon serves its dashboard behind its control token.</summary>
public sealed class DashboardOptionTests
{
    [Fact]
    public async Task The_daemon_prints_its_dashboard_address_with_the_control_token_and_serves_it_until_it_stops()
    {
        using var directory = new TempDirectory();
        var dataDirectory = directory.Sub("node");
        Uri address;
        await using (var node = await KadDaemon.StartAsync(dataDirectory, options: ["--dashboard", "127.0.0.1:0"]))
        {
            // Printed before ready:, which StartAsync waited for.
            var line = node.Output.Split('\n').Select(l => l.TrimEnd('\r')).Single(l => l.StartsWith("dashboard: ", StringComparison.Ordinal));
            address = new Uri(line["dashboard: ".Length..]);
            using var control = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dataDirectory, "control.json")));
            var token = control.RootElement.GetProperty("token").GetString()!;
            Assert.Equal(IPAddress.Loopback.ToString(), address.Host);
            Assert.Equal("?token=" + token, address.Query);

            using var client = new HttpClient { BaseAddress = new Uri(address.GetLeftPart(UriPartial.Authority)), Timeout = Kad.Guard };
            using (var refused = await client.GetAsync("/api/snapshot"))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            }

            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var snapshot = JsonDocument.Parse(await client.GetStringAsync("/api/snapshot"));
            Assert.Equal(node.Id, snapshot.RootElement.GetProperty("id").GetString());
            Assert.Equal("kademlia-test", snapshot.RootElement.GetProperty("network").GetString());
            Assert.Equal(0, await node.StopAsync());
        }

        using var after = new HttpClient { Timeout = Kad.Guard };
        await Assert.ThrowsAsync<HttpRequestException>(() => after.GetAsync(address));
    }

    [Fact]
    public async Task A_dashboard_address_that_is_not_an_endpoint_is_a_usage_error()
    {
        var result = await Kad.RunAsync("node", "--network", "test", "--dashboard", "localhost:nope");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--dashboard 'localhost:nope'", result.Stderr, StringComparison.Ordinal);
    }
}
