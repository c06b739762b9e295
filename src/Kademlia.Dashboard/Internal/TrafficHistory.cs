using Kademlia.Engine;

namespace Kademlia.Dashboard.Internal;

/// <summary>
/// The node's counters sampled once a second, kept as per-second differences for the last
/// <see cref="Capacity"/> seconds (five minutes): what the traffic and drop charts draw.
/// </summary>
internal sealed class TrafficHistory
{
    public const int Capacity = 300;

    private readonly Queue<long[]> _samples = new();
    private readonly Queue<Dictionary<string, long>> _drops = new();
    private EngineStatistics? _last;

    public void Add(EngineStatistics statistics)
    {
        lock (_samples)
        {
            var last = _last ?? statistics;
            _samples.Enqueue([statistics.PacketsIn - last.PacketsIn, statistics.PacketsOut - last.PacketsOut, statistics.BytesIn - last.BytesIn, statistics.BytesOut - last.BytesOut]);
            _drops.Enqueue(statistics.Drops.ToDictionary(d => d.Key, d => d.Value - last.Drops.GetValueOrDefault(d.Key)));
            if (_samples.Count > Capacity)
            {
                _samples.Dequeue();
                _drops.Dequeue();
            }

            _last = statistics;
        }
    }

    public TrafficView View()
    {
        lock (_samples)
        {
            var samples = _samples.ToArray();
            var drops = _drops.ToArray();
            var reasons = drops.SelectMany(d => d.Keys).Distinct().Order(StringComparer.Ordinal);
            return new TrafficView(
                1,
                [.. samples.Select(s => s[0])],
                [.. samples.Select(s => s[1])],
                [.. samples.Select(s => s[2])],
                [.. samples.Select(s => s[3])],
                reasons.ToDictionary(r => r, r => (IReadOnlyList<long>)[.. drops.Select(d => d.GetValueOrDefault(r))]),
                _last?.PacketsIn ?? 0,
                _last?.PacketsOut ?? 0,
                _last?.TotalDrops ?? 0);
        }
    }
}
