using System.Diagnostics;
using System.Diagnostics.Metrics;
using Kademlia.Engine;

namespace Kademlia.Internal;

/// <summary>
/// The <c>Kademlia</c> meter: packets, drops by reason, lookups and their latency, table and store
/// sizes. Observable instruments read the snapshot the node loop refreshes, never the engine itself.
/// </summary>
internal sealed class DhtMetrics : IDisposable
{
    public const string MeterName = DhtNode.MeterName;

    public static readonly ActivitySource ActivitySource = new(MeterName);

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Histogram<double> _lookupDuration;
    private readonly Counter<long> _lookups;
    private volatile EngineStatistics _snapshot = new();
    private volatile int _records;

    public DhtMetrics(IMeterFactory? factory)
    {
        _ownsMeter = factory is null;
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _lookupDuration = _meter.CreateHistogram<double>("kademlia.lookup.duration", "s", "Duration of operations (lookups, gets, puts, announces).");
        _lookups = _meter.CreateCounter<long>("kademlia.lookups", "{operation}", "Operations finished, by kind and outcome.");
        _meter.CreateObservableCounter("kademlia.packets.received", () => _snapshot.PacketsIn, "{packet}", "Datagrams received.");
        _meter.CreateObservableCounter("kademlia.packets.sent", () => _snapshot.PacketsOut, "{packet}", "Datagrams sent.");
        _meter.CreateObservableCounter("kademlia.bytes.received", () => _snapshot.BytesIn, "By", "Bytes received.");
        _meter.CreateObservableCounter("kademlia.bytes.sent", () => _snapshot.BytesOut, "By", "Bytes sent.");
        _meter.CreateObservableCounter("kademlia.packets.dropped", ObserveDrops, "{packet}", "Datagrams and messages dropped, by reason.");
        _meter.CreateObservableGauge("kademlia.routing.contacts", () => _snapshot.RoutingTableSize, "{contact}", "Contacts in the routing table.");
        _meter.CreateObservableGauge("kademlia.records", () => _records, "{record}", "Records stored (values and providers).");
    }

    public void Update(EngineStatistics statistics, int records)
    {
        _snapshot = statistics;
        _records = records;
    }

    private static readonly object BoxedTrue = true;
    private static readonly object BoxedFalse = false;

    public void QueryFinished(string operation, QueryResult result)
    {
        if (_lookupDuration.Enabled)
        {
            _lookupDuration.Record(result.Duration.TotalSeconds, new KeyValuePair<string, object?>("kademlia.operation", operation));
        }

        // The tag's value boxed once, not per operation.
        _lookups.Add(1, new KeyValuePair<string, object?>("kademlia.operation", operation), new KeyValuePair<string, object?>("kademlia.succeeded", result.Succeeded ? BoxedTrue : BoxedFalse));
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private IEnumerable<Measurement<long>> ObserveDrops() =>
        _snapshot.Drops.Select(d => new Measurement<long>(d.Value, new KeyValuePair<string, object?>("kademlia.drop.reason", d.Key)));
}
