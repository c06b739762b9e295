using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Kademlia.Hosting.Tests;

/// <summary>Hosts built with <see cref="HostApplicationBuilder"/> around one Kademlia node on 127.0.0.1 (test network).</summary>
internal static class TestHost
{
    /// <summary>A guard against a hung test, never an assertion about speed.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(90);

    /// <summary>
    /// A host whose configuration is <paramref name="settings"/> (keys under <c>Kademlia:</c>) on top of a
    /// loopback node of the test network; <paramref name="services"/> adds to its services.
    /// </summary>
    public static IHost Build(IEnumerable<KeyValuePair<string, string?>>? settings = null, Action<IServiceCollection>? services = null)
    {
        // No appsettings.json, environment variables or command line: only what the test says.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kademlia:Network"] = "test",
            ["Kademlia:Bind"] = "127.0.0.1",
            ["Kademlia:JoinRetryDelay"] = "00:00:00.250",
            ["Kademlia:JoinRetryMaxDelay"] = "00:00:02",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.Services.AddKademliaNode(builder.Configuration);
        builder.Services.AddHealthChecks().AddKademlia();
        services?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails naming <paramref name="what"/> after <see cref="Guard"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (!await condition())
        {
            try
            {
                await Task.Delay(100, guard.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Never happened within {Guard.TotalSeconds} s: {what}.");
            }
        }
    }
}
