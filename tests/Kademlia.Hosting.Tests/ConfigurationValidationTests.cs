using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Kademlia.Hosting.Tests;

/// <summary>Bad settings stop the host's start with a message that names the key, the value and what is allowed.</summary>
public sealed class ConfigurationValidationTests
{
    [Fact]
    public async Task Bad_values_fail_the_start_naming_each_key()
    {
        using var host = TestHost.Build([
            new("Kademlia:Network", "mainnet"),
            new("Kademlia:Bind", "not-an-address"),
            new("Kademlia:Port", "70000"),
            new("Kademlia:Advertise", "203.0.113.7"),
            new("Kademlia:Bootstrap:0", "abc@127.0.0.1:4000"),
            new("Kademlia:Quorum", "0"),
        ]);

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Kademlia:Network 'mainnet' is not a network preset: use 'default' or 'test'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Kademlia:Bind 'not-an-address' is not an IP address", e.Message, StringComparison.Ordinal);
        Assert.Contains("Kademlia:Port 70000 is not between 0 and 65535", e.Message, StringComparison.Ordinal);
        Assert.Contains("Kademlia:Advertise '203.0.113.7' is not address:port", e.Message, StringComparison.Ordinal);
        Assert.Contains("Kademlia:Bootstrap:0 'abc@127.0.0.1:4000' is neither a contact string", e.Message, StringComparison.Ordinal);
        Assert.Contains("Kademlia:Quorum 0 must be at least 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_network_fails_the_start_asking_for_one()
    {
        using var host = TestHost.Build([new("Kademlia:Network", "")]);
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Kademlia:Network is required: set it to 'default' (the public network) or 'test'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_join_retry_ceiling_below_the_first_delay_fails_the_start()
    {
        using var host = TestHost.Build([new("Kademlia:JoinRetryDelay", "00:00:05"), new("Kademlia:JoinRetryMaxDelay", "00:00:01")]);
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Kademlia:JoinRetryMaxDelay 00:00:01 is shorter than JoinRetryDelay 00:00:05", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_value_that_does_not_convert_fails_the_start_naming_its_key()
    {
        using var host = TestHost.Build([new("Kademlia:Mode", "Sever")]);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("'Kademlia:Mode'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_key_fails_the_start_naming_it()
    {
        using var host = TestHost.Build([new("Kademlia:Prot", "4000")]);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("'Prot'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_in_use_fails_the_start_naming_the_endpoint_and_the_waiters_learn_why()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;
        using var host = TestHost.Build([new("Kademlia:Port", port.ToString(CultureInfo.InvariantCulture))]);
        var waiting = ((HostedDhtNode)host.Services.GetService(typeof(HostedDhtNode))!).GetNodeAsync();

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.StartsWith($"Kademlia: cannot bind the UDP endpoint 127.0.0.1:{port}: ", e.Message, StringComparison.Ordinal);
        Assert.Same(e, await Assert.ThrowsAsync<InvalidOperationException>(() => waiting.WaitAsync(TestHost.Guard)));
    }

    [Fact]
    public async Task Good_values_start_the_node_where_they_say()
    {
        using var host = TestHost.Build([new("Kademlia:Mode", "client"), new("Kademlia:Bootstrap:0", "localhost:9")]);
        await host.StartAsync();
        var node = ((HostedDhtNode)host.Services.GetService(typeof(HostedDhtNode))!).Node;
        Assert.Equal("127.0.0.1", node.LocalEndpoint.Address.ToString());
        await host.StopAsync();
    }
}
