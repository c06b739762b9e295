using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Kademlia.Tests;

/// <summary>A logger factory for tests: counts the runtime's log events by their stable ID and lets a test wait for the n-th.</summary>
internal sealed class EventLog : ILoggerFactory, ILogger
{
    private readonly ConcurrentDictionary<int, int> _counts = new();
    private readonly SemaphoreSlim _logged = new(0);

    /// <summary>How many events with <paramref name="eventId"/> were logged so far.</summary>
    public int CountOf(int eventId) => _counts.GetValueOrDefault(eventId);

    /// <summary>Waits (within <see cref="LoopbackNetwork.Guard"/>) until <paramref name="count"/> events with <paramref name="eventId"/> were logged.</summary>
    public async Task WaitForAsync(int eventId, int count)
    {
        using var guard = new CancellationTokenSource(LoopbackNetwork.Guard);
        while (CountOf(eventId) < count)
        {
            await _logged.WaitAsync(guard.Token);
        }
    }

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        _counts.AddOrUpdate(eventId.Id, 1, (_, n) => n + 1);
        _logged.Release();
    }
}
