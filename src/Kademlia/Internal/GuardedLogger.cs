using Microsoft.Extensions.Logging;

namespace Kademlia.Internal;

/// <summary>
/// The host's logger behind a guard: the node logs from its loop and its receive task, and a logging
/// provider that throws must cost a log line, never the node. Failures are counted as observer faults.
/// </summary>
internal sealed class GuardedLogger(ILogger inner, FaultCounters faults) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull
    {
        try
        {
            return inner.BeginScope(state);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            faults.ObserverFailed();
            return null;
        }
    }

    public bool IsEnabled(LogLevel logLevel)
    {
        try
        {
            return inner.IsEnabled(logLevel);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            faults.ObserverFailed();
            return false;
        }
    }

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            faults.ObserverFailed();
        }
    }
}
