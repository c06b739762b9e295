using System.Net;
using Kademlia.Routing;

namespace Kademlia.Engine.Internal;

/// <summary>
/// Token buckets per source: an IP address, or an IP and port on loopback where many nodes share one
/// address. Bounded: past the maximum, idle sources are forgotten first.
/// </summary>
internal sealed class RateLimiter(double perSecond, double burst, int maxSources)
{
    private readonly TokenBuckets<NodeEndpoint> _buckets = new(perSecond, burst, maxSources);

    public bool TryTake(EndPoint from, DateTimeOffset now)
    {
        if (from is not IPEndPoint ip)
        {
            return true;
        }

        return _buckets.TryTake(NodeEndpoint.FromIPEndPoint(ip).Host, now);
    }
}

/// <summary>
/// One token bucket per key (a source address, a peer's node ID): <paramref name="perSecond"/> tokens a
/// second up to <paramref name="burst"/>. Bounded: past <paramref name="maxKeys"/>, idle keys are
/// forgotten first.
/// </summary>
internal sealed class TokenBuckets<TKey>(double perSecond, double burst, int maxKeys)
    where TKey : notnull
{
    private readonly Dictionary<TKey, (double Tokens, long Ticks)> _buckets = [];

    /// <summary>Takes one token of <paramref name="key"/>'s bucket; false when it is empty.</summary>
    public bool TryTake(TKey key, DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        if (!_buckets.TryGetValue(key, out var bucket))
        {
            if (_buckets.Count >= maxKeys)
            {
                Forget(ticks);
            }

            bucket = (burst, ticks);
        }

        var tokens = Math.Min(burst, bucket.Tokens + (perSecond * TimeSpan.FromTicks(Math.Max(0, ticks - bucket.Ticks)).TotalSeconds));
        if (tokens < 1)
        {
            _buckets[key] = (tokens, ticks);
            return false;
        }

        _buckets[key] = (tokens - 1, ticks);
        return true;
    }

    private void Forget(long ticks)
    {
        // Keys idle long enough to have refilled are indistinguishable from new ones: drop them.
        var refill = TimeSpan.FromSeconds(burst / perSecond).Ticks;
        foreach (var (key, bucket) in _buckets.ToList())
        {
            if (ticks - bucket.Ticks >= refill || _buckets.Count >= maxKeys)
            {
                _buckets.Remove(key);
            }

            if (_buckets.Count < maxKeys / 2)
            {
                break;
            }
        }
    }
}
