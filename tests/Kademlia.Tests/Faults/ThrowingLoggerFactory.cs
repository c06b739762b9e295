using Microsoft.Extensions.Logging;

namespace Kademlia.Tests.Faults;

/// <summary>A logging provider that throws from every call once armed, as a broken sink would.</summary>
internal sealed class ThrowingLoggerFactory : ILoggerFactory, ILogger
{
    private volatile bool _armed;

    /// <summary>Log calls made while armed (each of which threw).</summary>
    public int Thrown;

    public void Arm() => _armed = true;

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
        if (_armed)
        {
            Interlocked.Increment(ref Thrown);
            throw new InvalidOperationException($"log sink down ({eventId.Name})");
        }
    }
}
