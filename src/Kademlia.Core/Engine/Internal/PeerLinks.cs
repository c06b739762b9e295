using Kademlia.Identity;
using Kademlia.Sessions;

namespace Kademlia.Engine.Internal;

/// <summary>
/// The peers applications keep paths to, and the timing of the work on them (docs/PROTOCOL.md, "Kept
/// paths"): a ping when the path has been quiet, a punch again when it went dead, punches with backoff to
/// leave a relay. State and timing only; the engine sends.
/// </summary>
/// <remarks>
/// <para>Keepalive: a ping every <see cref="PingInterval"/> of silence either way keeps both NATs' mappings
/// open (home routers forget an idle UDP mapping after about 30 s) and shows the path works.</para>
/// <para>Dead path: something sent and nothing heard for <see cref="AnswerWait"/> brings a ping; nothing
/// heard for <see cref="DeadAfter"/> makes the path dead (a NAT rebinding: a router that forgot its
/// mappings, a new outside port). A peer with rendezvous points is then punched again, with backoff
/// (<see cref="RepairDelay"/>) while that fails; after <see cref="GiveUpAfter"/> of silence the link is lost.</para>
/// <para>Upgrade: a relayed path is punched again <see cref="FirstUpgradeDelay"/> after it became relayed,
/// then after twice as long each time up to <see cref="MaxUpgradeDelay"/>, at most <see cref="MaxUpgradeAttempts"/>
/// times: a NAT that forbade the punch may allow it later (a router reconfigured, the other player's NAT
/// changed, a punch lost to packet loss).</para>
/// </remarks>
internal sealed class PeerLinks
{
    /// <summary>Links kept at once.</summary>
    public const int MaxLinks = 256;

    /// <summary>Punches tried to move one relayed path to a direct one: at most about 20 minutes of trying.</summary>
    public const int MaxUpgradeAttempts = 8;

    /// <summary>Silence either way after which the link pings: half the 30 s many home routers keep an idle mapping.</summary>
    public static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(15);

    /// <summary>How long something sent may go unanswered before the link pings to see whether the path works.</summary>
    public static readonly TimeSpan AnswerWait = TimeSpan.FromSeconds(1);

    /// <summary>How long something sent may go unanswered (two pings among it) before the path is dead.</summary>
    public static readonly TimeSpan DeadAfter = TimeSpan.FromSeconds(3);

    /// <summary>Silence after which a dead path is given up (the link is dropped and reported lost).</summary>
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(2);

    /// <summary>The first attempt to leave a relay: a few seconds after the path became relayed.</summary>
    public static readonly TimeSpan FirstUpgradeDelay = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between two attempts to leave a relay.</summary>
    public static readonly TimeSpan MaxUpgradeDelay = TimeSpan.FromMinutes(5);

    /// <summary>The longest wait between two repairs of a dead path (they start 1 s apart and double).</summary>
    public static readonly TimeSpan MaxRepairDelay = TimeSpan.FromSeconds(30);

    private readonly Dictionary<PeerKey, PeerLink> _byKey = [];
    private readonly Dictionary<QueryId, PeerLink> _byPunch = [];

    /// <summary>Links kept.</summary>
    public int Count => _byKey.Count;

    /// <summary>Punches links started to repair a dead path or leave a relay.</summary>
    public long Punches { get; private set; }

    /// <summary>Relayed paths that moved to direct ones while kept.</summary>
    public long Upgrades { get; set; }

    /// <summary>The links, as a copy (the engine changes them while it walks them).</summary>
    public PeerLink[] All() => [.. _byKey.Values];

    /// <summary>Adds a link, or updates the rendezvous points of the one kept; false when too many are kept.</summary>
    public bool TryAdd(PeerLink link, out PeerLink kept)
    {
        if (_byKey.TryGetValue(link.Key, out kept!))
        {
            if (!link.Rendezvous.IsEmpty)
            {
                kept.Rendezvous = link.Rendezvous;
            }

            return true;
        }

        if (_byKey.Count >= MaxLinks)
        {
            return false;
        }

        _byKey[link.Key] = kept = link;
        return true;
    }

    /// <summary>The link kept to the peer with this key, if any.</summary>
    public bool TryGet(PeerKey key, out PeerLink link) => _byKey.TryGetValue(key, out link!);

    /// <summary>The link a punch was started for.</summary>
    public bool TryTakePunch(QueryId punch, out PeerLink link)
    {
        if (_byPunch.Remove(punch, out link!))
        {
            link.Punch = null;
            return true;
        }

        return false;
    }

    /// <summary>Records a punch started for <paramref name="link"/>.</summary>
    public void PunchStarted(PeerLink link, QueryId punch, DateTimeOffset now, bool repairing)
    {
        link.Punch = punch;
        link.PunchStarted = now;
        link.Repairing = repairing;
        _byPunch[punch] = link;
        Punches++;
    }

    /// <summary>Forgets a link; returns the punch it had in progress, to cancel.</summary>
    public bool Remove(PeerKey key, out QueryId? punch)
    {
        punch = null;
        if (!_byKey.Remove(key, out var link))
        {
            return false;
        }

        if (link.Punch is { } running)
        {
            _byPunch.Remove(running);
            punch = running;
        }

        return true;
    }

    /// <summary>The wait before repair number <paramref name="failed"/> + 1: 1 s, doubling, at most <see cref="MaxRepairDelay"/>.</summary>
    public static TimeSpan RepairDelay(int failed) => Backoff(TimeSpan.FromSeconds(1), failed, MaxRepairDelay);

    /// <summary>The wait after upgrade attempt number <paramref name="attempts"/>: <see cref="FirstUpgradeDelay"/>, doubling, at most <see cref="MaxUpgradeDelay"/>.</summary>
    public static TimeSpan UpgradeDelay(int attempts) => Backoff(FirstUpgradeDelay, attempts, MaxUpgradeDelay);

    private static TimeSpan Backoff(TimeSpan first, int doublings, TimeSpan max) =>
        doublings >= 20 ? max : TimeSpan.FromTicks(Math.Min(first.Ticks << doublings, max.Ticks));
}
