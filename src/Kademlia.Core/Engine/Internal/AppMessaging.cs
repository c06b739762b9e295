using System.Net;
using Kademlia.Identity;
using Kademlia.Wire;

namespace Kademlia.Engine.Internal;

/// <summary>What the receiving node does with an application message (docs/PROTOCOL.md, "Application messages").</summary>
internal enum AppAdmission
{
    /// <summary>Report it to the application receiving on its channel.</summary>
    Deliver,

    /// <summary>Nothing receives on its channel: a request is answered NO_SUCH_CHANNEL, a datagram dropped.</summary>
    NoSuchChannel,

    /// <summary>The peer exceeded its app-message rate: a request is answered RATE_LIMITED, a datagram dropped.</summary>
    RateLimited,

    /// <summary>Too many requests of the peer, or of everyone, wait for their application: answered RATE_LIMITED.</summary>
    Backlog,

    /// <summary>A copy of a request still waiting for its answer, or of a datagram just delivered: dropped.</summary>
    Duplicate,
}

/// <summary>
/// Application messages on the receiving side: the channels applications receive on, the per-peer rate,
/// the APP_REQUESTs waiting for their application's answer and the datagrams recently delivered. It
/// decides what happens to each arriving app message and sends nothing; the engine answers as told.
/// </summary>
/// <remarks>
/// <para>A waiting request is keyed by (peer, request ID): the application's answer goes only to a request
/// that waits, once, and to the peer that sent it; a retried copy (requesters repeat the ID) is not
/// delivered twice while the first waits. Waiting is bounded per peer and in all, and an answer is taken
/// at most <see cref="ReplyWindow"/> after its request arrived, so an application that never answers
/// cannot fill the table for good.</para>
/// <para>Datagrams carry no state but the last <see cref="RecentDatagrams"/> delivered, enough to drop the
/// copy that a resent IK initiation brings.</para>
/// </remarks>
internal sealed class AppMessaging(double perSecondPerPeer, double burstPerPeer, int maxPeers)
{
    /// <summary>Requests of one peer waiting for their application at once: a peer cannot take the whole table.</summary>
    public const int MaxAwaitingPerPeer = 64;

    /// <summary>Requests waiting for their application at once, from everyone.</summary>
    public const int MaxAwaiting = 1024;

    /// <summary>Delivered datagrams remembered to drop their copies.</summary>
    public const int RecentDatagrams = 1024;

    /// <summary>How long after its request arrived an application's answer is still taken.</summary>
    public static readonly TimeSpan ReplyWindow = TimeSpan.FromSeconds(60);

    private readonly HashSet<string> _channels = new(StringComparer.Ordinal);
    private readonly TokenBuckets<NodeId> _rate = new(perSecondPerPeer, burstPerPeer, maxPeers);
    private readonly Dictionary<(NodeId Peer, ulong RequestId), Awaiting> _awaiting = [];
    private readonly Dictionary<NodeId, int> _awaitingPerPeer = [];
    private readonly HashSet<(NodeId Peer, ulong RequestId)> _recent = [];
    private readonly Queue<(NodeId Peer, ulong RequestId)> _recentOrder = new();

    /// <summary>App messages handed to applications.</summary>
    public long Delivered { get; private set; }

    /// <summary>App messages sent (datagrams, and every attempt of a request).</summary>
    public long Sent { get; private set; }

    /// <summary>Requests waiting for their application's answer.</summary>
    public int AwaitingCount => _awaiting.Count;

    /// <summary>An application receives on <paramref name="channel"/> from now on.</summary>
    public void Open(string channel) => _channels.Add(channel);

    /// <summary>Nothing receives on <paramref name="channel"/> any more; its waiting requests are forgotten (their requesters time out).</summary>
    public bool Close(string channel)
    {
        if (!_channels.Remove(channel))
        {
            return false;
        }

        foreach (var (key, waiting) in _awaiting)
        {
            if (waiting.Channel == channel)
            {
                Forget(key);
            }
        }

        return true;
    }

    /// <summary>Whether an application receives on <paramref name="channel"/>.</summary>
    public bool IsOpen(string channel) => _channels.Contains(channel);

    /// <summary>Counts an app message sent.</summary>
    public void OnSent() => Sent++;

    /// <summary>
    /// Decides about <paramref name="message"/> from <paramref name="peer"/> at <paramref name="from"/>; a request
    /// that is delivered waits for its answer from then on.
    /// </summary>
    public AppAdmission Admit(DateTimeOffset now, NodeId peer, IPEndPoint from, ChannelMessage message)
    {
        if (!_rate.TryTake(peer, now))
        {
            return AppAdmission.RateLimited;
        }

        if (!_channels.Contains(message.Channel))
        {
            return AppAdmission.NoSuchChannel;
        }

        var key = (peer, message.RequestId);
        if (message is AppDatagram)
        {
            if (!_recent.Add(key))
            {
                return AppAdmission.Duplicate;
            }

            _recentOrder.Enqueue(key);
            if (_recentOrder.Count > RecentDatagrams)
            {
                _recent.Remove(_recentOrder.Dequeue());
            }

            Delivered++;
            return AppAdmission.Deliver;
        }

        if (_awaiting.ContainsKey(key))
        {
            return AppAdmission.Duplicate;
        }

        if (IsFull(peer))
        {
            // Only now is the table scanned for requests whose application never answered.
            ForgetStale(now);
            if (IsFull(peer))
            {
                return AppAdmission.Backlog;
            }
        }

        _awaiting[key] = new Awaiting(message.Channel, from, now);
        _awaitingPerPeer[peer] = _awaitingPerPeer.GetValueOrDefault(peer) + 1;
        Delivered++;
        return AppAdmission.Deliver;
    }

    /// <summary>
    /// Takes the request <paramref name="requestId"/> of <paramref name="peer"/> to answer it: false when no
    /// such request waits (never delivered, answered already, or older than <see cref="ReplyWindow"/>).
    /// </summary>
    /// <param name="now">The time of the answer.</param>
    /// <param name="peer">The requester.</param>
    /// <param name="requestId">The request's ID.</param>
    /// <param name="from">Where the request came from: whose 3x budget the answer must respect.</param>
    public bool TryTakeAwaiting(DateTimeOffset now, NodeId peer, ulong requestId, out IPEndPoint from)
    {
        var key = (peer, requestId);
        if (!_awaiting.TryGetValue(key, out var waiting))
        {
            from = null!;
            return false;
        }

        Forget(key);
        from = waiting.From;
        return now - waiting.ArrivedAt <= ReplyWindow;
    }

    private bool IsFull(NodeId peer) =>
        _awaiting.Count >= MaxAwaiting || _awaitingPerPeer.GetValueOrDefault(peer) >= MaxAwaitingPerPeer;

    private void ForgetStale(DateTimeOffset now)
    {
        foreach (var (key, waiting) in _awaiting)
        {
            if (now - waiting.ArrivedAt > ReplyWindow)
            {
                Forget(key);
            }
        }
    }

    private void Forget((NodeId Peer, ulong RequestId) key)
    {
        _awaiting.Remove(key);
        if (_awaitingPerPeer.TryGetValue(key.Peer, out var count) && count > 1)
        {
            _awaitingPerPeer[key.Peer] = count - 1;
        }
        else
        {
            _awaitingPerPeer.Remove(key.Peer);
        }
    }

    private sealed record Awaiting(string Channel, IPEndPoint From, DateTimeOffset ArrivedAt);
}
