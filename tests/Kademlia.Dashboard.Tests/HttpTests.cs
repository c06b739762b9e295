using System.Net;
using System.Text.Json;
using Kademlia.Identity;

namespace Kademlia.Dashboard.Tests;

/// <summary>The dashboard's HTTP surface without a browser: the token, the snapshot, the lookup API, the event stream.</summary>
public sealed class HttpTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/assets/node.js")]
    [InlineData("/api/snapshot")]
    [InlineData("/api/events")]
    public async Task Every_route_refuses_a_request_without_the_token(string path)
    {
        await using var harness = await DashboardHarness.StartAsync(3);
        using var client = harness.Client();
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain(harness.Node.Id.ToString(), await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_token_is_refused_in_the_query_the_header_and_the_cookie()
    {
        await using var harness = await DashboardHarness.StartAsync(3);
        var wrong = harness.Token[..^1] + (harness.Token[^1] == '0' ? '1' : '0');
        using var client = harness.Client();
        using (var response = await client.GetAsync("/api/snapshot?token=" + wrong))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        using (var bearer = harness.Client(wrong))
        using (var response = await bearer.GetAsync("/api/snapshot"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/snapshot");
        request.Headers.Add("Cookie", $"kad-dashboard-{harness.Server.Address.Port}={wrong}");
        using (var response = await client.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        using (var prefix = harness.Client(harness.Token[..32]))
        using (var response = await prefix.GetAsync("/api/snapshot"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
    }

    [Fact]
    public async Task The_token_in_the_address_is_traded_for_a_same_site_http_only_cookie_and_a_redirect()
    {
        await using var harness = await DashboardHarness.StartAsync(3);
        using var client = harness.Client();
        using var response = await client.GetAsync("/?token=" + harness.Token);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith($"kad-dashboard-{harness.Server.Address.Port}={harness.Token}", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);

        using var page = new HttpRequestMessage(HttpMethod.Get, "/");
        page.Headers.Add("Cookie", cookie.Split(';')[0]);
        using var served = await client.SendAsync(page);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Contains("Kademlia node", await served.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_snapshot_lists_the_nodes_routing_table_and_its_records()
    {
        await using var harness = await DashboardHarness.StartAsync(5);
        using var client = harness.Client(harness.Token);
        var record = Records.ImmutableRecord.Create("seen on the dashboard"u8);
        await harness.Node.PutAsync(record);

        var table = await harness.Node.GetRoutingTableAsync();
        using var snapshot = JsonDocument.Parse(await client.GetStringAsync("/api/snapshot"));
        var root = snapshot.RootElement;
        Assert.Equal(harness.Node.Id.ToString(), root.GetProperty("id").GetString());
        var contacts = root.GetProperty("contacts").EnumerateArray().ToList();
        Assert.Equal(table.Select(c => c.Node.Id.ToString()).Order(), contacts.Select(c => c.GetProperty("id").GetString()!).Order());
        Assert.All(contacts, c => Assert.Equal(harness.Node.Id.CommonPrefixLength(NodeId.Parse(c.GetProperty("id").GetString()!)), c.GetProperty("bucket").GetInt32()));
        Assert.Contains(root.GetProperty("values").EnumerateArray(), v => v.GetProperty("key").GetString() == record.Key.ToString() && v.GetProperty("own").GetBoolean());
    }

    [Fact]
    public async Task A_lookup_through_the_api_answers_with_its_path_and_refuses_a_bad_target()
    {
        await using var harness = await DashboardHarness.StartAsync(5);
        using var client = harness.Client(harness.Token);
        var target = harness.Network.Nodes[4].Id;
        using var response = await client.PostAsync($"/api/lookup?target={target}", null);
        response.EnsureSuccessStatusCode();
        using var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(result.RootElement.GetProperty("succeeded").GetBoolean());
        Assert.Equal(target.ToString(), result.RootElement.GetProperty("target").GetString());

        using var bad = await client.PostAsync("/api/lookup?target=xyz", null);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task A_lookup_posted_from_another_origin_is_refused()
    {
        await using var harness = await DashboardHarness.StartAsync(3);
        using var client = harness.Client(harness.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/lookup");
        request.Headers.Add("Origin", "http://evil.example");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task The_event_stream_starts_with_a_snapshot_and_reports_a_lookups_steps_and_end()
    {
        await using var harness = await DashboardHarness.StartAsync(5);
        using var client = harness.Client(harness.Token);
        using var guard = new CancellationTokenSource(DashboardHarness.Guard);
        using var response = await client.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead, guard.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(guard.Token));
        Assert.Equal("event: snapshot", await reader.ReadLineAsync(guard.Token));

        var target = harness.Network.Nodes[3].Id;
        var lookup = harness.Node.FindNodeAsync(target, guard.Token);
        var steps = 0;
        string? done = null;
        while (done is null && await reader.ReadLineAsync(guard.Token) is { } line)
        {
            if (line == "event: step" && await reader.ReadLineAsync(guard.Token) is { } data && data.Contains(target.ToString(), StringComparison.Ordinal))
            {
                steps++;
            }
            else if (line == "event: done")
            {
                done = await reader.ReadLineAsync(guard.Token);
            }
        }

        await lookup;
        Assert.True(steps > 0);
        Assert.NotNull(done);
        Assert.Contains(target.ToString(), done, StringComparison.Ordinal);
    }
}
