using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Kademlia.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kademlia.Hosting.Tests;

/// <summary><c>AddKademliaNode</c>: a node that starts and stops with its host and joins through configured seeds.</summary>
public sealed class HostedNodeTests
{
    [Fact]
    public async Task Two_hosted_nodes_on_loopback_find_each_other_through_the_configured_bootstrap()
    {
        using var first = TestHost.Build();
        await first.StartAsync();
        var a = first.Services.GetRequiredService<HostedDhtNode>().Node;
        Assert.Null(first.Services.GetRequiredService<HostedDhtNode>().Joined); // no seeds: the first of its network

        using var second = TestHost.Build([new("Kademlia:Bootstrap:0", a.ContactString)]);
        await second.StartAsync();
        var hosted = second.Services.GetRequiredService<HostedDhtNode>();
        var b = await hosted.GetNodeAsync();
        Assert.Same(b, second.Services.GetRequiredService<DhtNode>());

        await TestHost.WaitUntilAsync(async () => (await b.GetContactsAsync()).Any(c => c.Id == a.Id), "the second node has the first in its table");
        await TestHost.WaitUntilAsync(async () => (await a.GetContactsAsync()).Any(c => c.Id == b.Id), "the first node has the second in its table");
        await TestHost.WaitUntilAsync(() => Task.FromResult(hosted.Joined is { TableSize: > 0 }), "the background join reports its result");

        await second.StopAsync();
        await first.StopAsync();
        await b.Completion.WaitAsync(TestHost.Guard);
        await a.Completion.WaitAsync(TestHost.Guard);
        Assert.Throws<InvalidOperationException>(() => hosted.Node);
    }

    [Fact]
    public async Task The_node_logs_through_the_hosts_logging_and_creates_its_meter_with_the_hosts_meter_factory()
    {
        var logs = new LogCollector();
        using var host = TestHost.Build(services: services => services.AddLogging(logging => logging.AddProvider(logs)));
        var meterFactory = host.Services.GetRequiredService<IMeterFactory>();
        var scopes = new ConcurrentBag<object?>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == "Kademlia")
                {
                    scopes.Add(instrument.Meter.Scope);
                }
            },
        };
        listener.Start();

        await host.StartAsync();
        var node = host.Services.GetRequiredService<DhtNode>();
        await host.StopAsync();

        Assert.Contains(logs.Messages, m => m.Category == "Kademlia.DhtNode" && m.Text.Contains($"Kademlia node {node.Id} listening", StringComparison.Ordinal));
        // Other tests' hosts run alongside: only this host's factory can have created a meter with itself as scope.
        Assert.Contains(scopes, scope => ReferenceEquals(scope, meterFactory));
    }

    [Fact]
    public async Task The_options_callback_reaches_the_node_options_after_configuration()
    {
        using var identity = NodeIdentity.Generate(NetworkParameters.Test);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddKademliaNode(options =>
        {
            options.Network = "test";
            options.Bind = "127.0.0.1";
            options.ConfigureNode = node => node.Identity = identity;
        });
        using var host = builder.Build();
        await host.StartAsync();

        Assert.Equal(identity.Id, host.Services.GetRequiredService<DhtNode>().Id);
        await host.StopAsync();
    }

    [Fact]
    public void A_second_node_in_one_host_is_refused_when_registered()
    {
        var services = new ServiceCollection();
        services.AddKademliaNode(options => options.Network = "test");
        var e = Assert.Throws<InvalidOperationException>(() => services.AddKademliaNode(options => options.Network = "test"));
        Assert.Contains("called twice", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Taking_the_node_before_the_host_started_it_says_what_to_do_instead()
    {
        using var host = TestHost.Build();
        var e = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<DhtNode>());
        Assert.Contains("GetNodeAsync", e.Message, StringComparison.Ordinal);
    }

    private sealed record LogMessage(string Category, string Text);

    private sealed class LogCollector : ILoggerProvider
    {
        public ConcurrentQueue<LogMessage> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Messages);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<LogMessage> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue(new LogMessage(category, formatter(state, exception)));
        }
    }
}
