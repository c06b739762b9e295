namespace Kademlia.Workloads;

/// <summary>Collects the samples of one kind of operation and summarizes them as an <see cref="OperationReport"/>.</summary>
/// <param name="name">The operation's name in the report.</param>
public sealed class OperationRecorder(string name)
{
    private readonly List<double> _latency = [];
    private readonly List<double> _first = [];
    private readonly List<double> _messages = [];
    private readonly List<double> _hops = [];
    private readonly List<double> _stored = [];
    private int _attempts;
    private int _succeeded;

    /// <summary>Records one operation.</summary>
    /// <param name="succeeded">Whether it achieved what it was asked.</param>
    /// <param name="latency">Call to completion.</param>
    /// <param name="messages">Requests it sent.</param>
    /// <param name="hops">Its lookup depth.</param>
    /// <param name="storedOn">Nodes that stored its record, for a put or an announce.</param>
    /// <param name="firstResult">Call to the first result, for a streaming operation; null if none came.</param>
    public void Add(bool succeeded, TimeSpan latency, int messages, int hops, int? storedOn = null, TimeSpan? firstResult = null)
    {
        _attempts++;
        _succeeded += succeeded ? 1 : 0;
        _latency.Add(latency.TotalMilliseconds);
        _messages.Add(messages);
        _hops.Add(hops);
        if (storedOn is { } stored)
        {
            _stored.Add(stored);
        }

        if (firstResult is { } first)
        {
            _first.Add(first.TotalMilliseconds);
        }
    }

    /// <summary>Records an operation that failed without a result (timed out or threw).</summary>
    public void AddFailure(TimeSpan latency)
    {
        _attempts++;
        _latency.Add(latency.TotalMilliseconds);
    }

    /// <summary>Summarizes what was recorded.</summary>
    /// <param name="streaming">Whether to report the time to the first result.</param>
    /// <param name="stores">Whether to report on how many nodes records were stored.</param>
    public OperationReport ToReport(bool streaming = false, bool stores = false) => new(
        name,
        _attempts,
        _succeeded,
        Distribution.Of(_latency),
        streaming ? Distribution.Of(_first) : null,
        Distribution.Of(_messages),
        Distribution.Of(_hops),
        stores ? Distribution.Of(_stored) : null);
}
