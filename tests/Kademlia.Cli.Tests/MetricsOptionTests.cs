using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Kademlia.Cli.Tests;

/// <summary><c>kad node --metrics</c> and <c>--log-format json</c>: the daemon's meter for Prometheus, its logs for collectors.</summary>
public sealed partial class MetricsOptionTests
{
    [Fact]
    public async Task The_metrics_endpoint_serves_the_meter_in_prometheus_text_and_its_counters_move_with_traffic()
    {
        using var directory = new TempDirectory();
        await using var first = await KadDaemon.StartAsync(directory.Sub("a"), options: ["--metrics", "127.0.0.1:0"]);
        var line = first.Output.Split('\n').Select(l => l.TrimEnd('\r')).Single(l => l.StartsWith("metrics: ", StringComparison.Ordinal));
        var address = new Uri(line["metrics: ".Length..]);
        Assert.Equal(IPAddress.Loopback.ToString(), address.Host);
        Assert.Equal("/metrics", address.AbsolutePath);
        await using var second = await KadDaemon.StartAsync(directory.Sub("b"), bootstrap: [first.Contact]);

        using var client = new HttpClient { Timeout = Kad.Guard };
        using var response = await client.GetAsync(address);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var before = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE kademlia_packets_received_total counter", before, StringComparison.Ordinal);
        Assert.Contains("# TYPE kademlia_routing_contacts gauge", before, StringComparison.Ordinal);
        Assert.Contains($"service_instance_id=\"{first.Id}\"", before, StringComparison.Ordinal);
        var packetsBefore = Value(before, "kademlia_packets_received_total");

        // Traffic through the first node: a put on the second, a get on the first.
        var put = await Kad.RunAsync("put", "counted", "--data-dir", second.DataDirectory);
        Assert.True(put.ExitCode == 0, put.ToString());
        var get = await Kad.RunAsync("get", put.Stdout.Trim(), "--data-dir", first.DataDirectory);
        Assert.True(get.ExitCode == 0, get.ToString());

        // Observable counters follow a snapshot the node refreshes once a second: wait for it, never time it.
        var after = "";
        using var guard = new CancellationTokenSource(Kad.Guard);
        while (!(Value(after, "kademlia_packets_received_total") > packetsBefore && after.Contains("kademlia_operation=\"get\"", StringComparison.Ordinal)))
        {
            try
            {
                await Task.Delay(200, guard.Token);
                after = await client.GetStringAsync(address, guard.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"The counters did not move within {Kad.Guard.TotalSeconds} s (packets received before: {packetsBefore}). Last scrape:\n{after}");
            }
        }

        Assert.True(Value(after, "kademlia_packets_sent_total") > 0);
        Assert.True(Value(after, "kademlia_bytes_received_bytes_total") > 0);
        Assert.True(Value(after, "kademlia_routing_contacts") >= 1);
        Assert.Contains("kademlia_lookup_duration_seconds_bucket{", after, StringComparison.Ordinal);
        Assert.Matches(LookupsOfGet(), after);
        Assert.Equal(0, await first.StopAsync());
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(address));
    }

    [Theory]
    [InlineData("localhost:nope", "--metrics 'localhost:nope' is neither address:port nor a port")]
    [InlineData("127.0.0.1:70000", "--metrics '127.0.0.1:70000' is neither address:port nor a port")]
    [InlineData("[::1]:9464", "--metrics '[::1]:9464': the metrics endpoint takes an IPv4 address")]
    public async Task A_bad_metrics_value_is_one_line_and_a_usage_error(string value, string message)
    {
        var run = await Kad.RunAsync("node", "--network", "test", "--metrics", value);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_metrics_port_in_use_is_a_bind_failure_naming_the_endpoint()
    {
        using var directory = new TempDirectory();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);

        var run = await Kad.RunAsync("node", "--network", "test", "--bind", "127.0.0.1", "--data-dir", directory.Sub("node"), "--metrics", $"127.0.0.1:{port}");
        Assert.Equal(9, run.ExitCode);
        Assert.Contains(run.ErrorLines, l => l.StartsWith($"kad: cannot serve metrics at 127.0.0.1:{port}: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_log_format_json_every_log_line_is_a_json_object()
    {
        using var directory = new TempDirectory();
        await using var node = await KadDaemon.StartAsync(directory.Sub("node"), logLevel: "Information", options: ["--log-format", "json"]);
        Assert.Equal(0, await node.StopAsync());

        var lines = node.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.NotEmpty(lines);
        var entries = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.All(entries, e =>
        {
            Assert.True(e.TryGetProperty("Timestamp", out _));
            Assert.True(e.TryGetProperty("LogLevel", out _));
            Assert.True(e.TryGetProperty("Message", out _));
        });
        var started = Assert.Single(entries, e => e.GetProperty("Category").GetString() == "Kademlia.DhtNode" && e.GetProperty("EventId").GetInt32() == 1);
        Assert.Equal(node.Id, started.GetProperty("State").GetProperty("NodeId").GetString());
        Assert.Contains(entries, e => e.GetProperty("Category").GetString() == "kad.node" && e.GetProperty("LogLevel").GetString() == "Information");
    }

    /// <summary>The value of an unlabelled-but-for-scope series, or -1 when the scrape has none.</summary>
    private static double Value(string scrape, string name)
    {
        foreach (var line in scrape.Split('\n'))
        {
            if (line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal))
            {
                // name{labels} value [timestamp]
                var afterLabels = line[(line.LastIndexOf('}') is var brace and >= 0 ? brace + 1 : name.Length)..];
                return double.Parse(afterLabels.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }

    [GeneratedRegex("""kademlia_lookups_total\{[^}]*kademlia_operation="get"[^}]*\} [1-9]""")]
    private static partial Regex LookupsOfGet();
}
