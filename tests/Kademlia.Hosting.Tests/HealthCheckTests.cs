using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Kademlia.Hosting.Tests;

/// <summary><c>AddHealthChecks().AddKademlia()</c>: Unhealthy until the node knows a peer, Healthy after.</summary>
public sealed class HealthCheckTests
{
    [Fact]
    public async Task The_check_is_unhealthy_before_the_join_and_healthy_after()
    {
        using var first = TestHost.Build();
        var health = first.Services.GetRequiredService<HealthCheckService>();
        var before = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, before.Status);
        Assert.Contains("not running", before.Entries["kademlia"].Description, StringComparison.Ordinal);

        await first.StartAsync();
        var alone = (await health.CheckHealthAsync()).Entries["kademlia"];
        Assert.Equal(HealthStatus.Unhealthy, alone.Status);
        Assert.Contains("no other node has joined", alone.Description, StringComparison.Ordinal);
        Assert.Equal(0, alone.Data["contacts"]);

        var a = first.Services.GetRequiredService<DhtNode>();
        using var second = TestHost.Build([new("Kademlia:Bootstrap:0", a.ContactString)]);
        await second.StartAsync();
        var secondHealth = second.Services.GetRequiredService<HealthCheckService>();
        await TestHost.WaitUntilAsync(async () => (await secondHealth.CheckHealthAsync()).Status == HealthStatus.Healthy, "the joining node reports Healthy");
        await TestHost.WaitUntilAsync(async () => (await health.CheckHealthAsync()).Status == HealthStatus.Healthy, "the first node reports Healthy once joined");
        var joined = (await health.CheckHealthAsync()).Entries["kademlia"];
        Assert.Equal(1, joined.Data["contacts"]);

        await second.StopAsync();
        var stopped = (await secondHealth.CheckHealthAsync()).Entries["kademlia"];
        Assert.Equal(HealthStatus.Unhealthy, stopped.Status);
        await first.StopAsync();
    }

    [Fact]
    public async Task A_node_whose_seeds_do_not_answer_reports_it_is_joining_with_the_chosen_failure_status()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddKademliaNode(options =>
        {
            options.Network = "test";
            options.Bind = "127.0.0.1";
            options.Bootstrap.Add("127.0.0.1:9"); // discard: nobody answers there
        });
        builder.Services.AddHealthChecks().AddKademlia(failureStatus: HealthStatus.Degraded, tags: ["ready"]);
        using var host = builder.Build();
        await host.StartAsync();

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Degraded, report.Status);
        Assert.Contains("joining, no seed has answered yet", report.Entries["kademlia"].Description, StringComparison.Ordinal);
        Assert.Contains("ready", report.Entries["kademlia"].Tags);
        await host.StopAsync();
    }
}
