using Kademlia.Sessions;

namespace Kademlia.Engine.Internal;

/// <summary>
/// The engine's drop counters: one array slot per typed reason, so counting a drop is an index and an
/// increment. Names ("engine.RateLimited", "session.InvalidMac1", "engine.RequestNotSent.NeedsHandshake")
/// are made only at the edge, by <see cref="ToDictionary"/>, for statistics and logs.
/// </summary>
internal sealed class DropCounters
{
    private static readonly EngineDropReason[] EngineReasons = Enum.GetValues<EngineDropReason>();
    private static readonly SessionDropReason[] SessionReasons = Enum.GetValues<SessionDropReason>();
    private static readonly SealStatus[] SealStatuses = Enum.GetValues<SealStatus>();

    private readonly long[] _engine = new long[SlotCount(EngineReasons)];
    private readonly long[] _session = new long[SlotCount(SessionReasons)];
    private readonly long[] _requestNotSent = new long[SlotCount(SealStatuses)];
    private readonly long[] _answerNotSent = new long[SlotCount(SealStatuses)];

    /// <summary>All drops counted so far.</summary>
    public long Total => _engine.Sum() + _session.Sum() + _requestNotSent.Sum() + _answerNotSent.Sum();

    /// <summary>Counts a drop decided by the engine.</summary>
    public void Count(EngineDropReason reason) => _engine[(int)reason]++;

    /// <summary>Counts a datagram the session layer dropped.</summary>
    public void Count(SessionDropReason reason) => _session[(int)reason]++;

    /// <summary>Datagrams the session layer dropped for <paramref name="reason"/> so far.</summary>
    public long Of(SessionDropReason reason) => _session[(int)reason];

    /// <summary>Counts a request that could not be sealed.</summary>
    public void RequestNotSent(SealStatus status) => _requestNotSent[(int)status]++;

    /// <summary>Counts an answer that could not be sealed.</summary>
    public void AnswerNotSent(SealStatus status) => _answerNotSent[(int)status]++;

    /// <summary>The non-zero counters by name.</summary>
    public Dictionary<string, long> ToDictionary()
    {
        var named = new Dictionary<string, long>();
        foreach (var reason in EngineReasons)
        {
            Add(named, "engine." + reason, _engine[(int)reason]);
        }

        foreach (var reason in SessionReasons)
        {
            Add(named, "session." + reason, _session[(int)reason]);
        }

        foreach (var status in SealStatuses)
        {
            Add(named, "engine.RequestNotSent." + status, _requestNotSent[(int)status]);
            Add(named, "engine.AnswerNotSent." + status, _answerNotSent[(int)status]);
        }

        return named;
    }

    private static void Add(Dictionary<string, long> named, string name, long count)
    {
        if (count > 0)
        {
            named[name] = count;
        }
    }

    private static int SlotCount<T>(T[] values)
        where T : struct, Enum
    {
        var max = 0;
        foreach (var value in values)
        {
            max = Math.Max(max, Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture));
        }

        return max + 1;
    }
}
