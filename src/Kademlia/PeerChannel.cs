using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Kademlia.Engine;
using Kademlia.Routing;
using Kademlia.Wire;

namespace Kademlia;

/// <summary>
/// An application's path to one peer on one channel, opened by <see cref="DhtNode.ConnectAsync(NodeInfo, string, ImmutableArray{WireContact}, CancellationToken)"/>:
/// over the node's encrypted session with the peer, direct (reachable, or punched through the NATs) or
/// relayed by one of the peer's rendezvous nodes (still encrypted end to end).
/// </summary>
/// <remarks>
/// <para>While a channel is open the node keeps its path (docs/PROTOCOL.md, "Kept paths"): it pings the peer
/// when the path has been quiet for 15 s, which keeps the NATs' mappings open; it punches again when the path
/// goes dead (a NAT rebinding: a router that forgot its mappings, a new outside port), falling back to a relay
/// if the punch fails; and a relayed path is punched again with backoff (5 s, then 5, 10, 20 s … up to 5
/// minutes, 8 times) and moves to a direct path when a punch gets through. <see cref="Path"/> follows, and
/// <see cref="PathChanged"/> is raised at each change. Messages sent while a path is dead are lost (datagrams)
/// or retried (requests); nothing sent after the peer was heard on its new path is lost to the change.</para>
/// <para>A relayed path carries at most <see cref="WireLimits.MaxRelayedAppPayload"/> bytes per message and what
/// the relay's limits allow (by default 128 KiB per direction every 2 minutes).</para>
/// <para>Receiving is per channel on the node (<see cref="DhtNode.ReceiveAsync"/>): <see cref="ReceiveAsync"/>
/// is that one receiver, filtered to this peer. A host that talks to several peers on one channel receives
/// with <see cref="DhtNode.ReceiveAsync"/> and opens a channel to each sender (<see cref="AppMessage.Sender"/>)
/// to answer on.</para>
/// <para>Dispose the channel when done: the node stops keeping the path once no channel to the peer is open.</para>
/// </remarks>
public sealed class PeerChannel : IAsyncDisposable
{
    private readonly DhtNode _node;
    private int _path;
    private int _disposed;

    internal PeerChannel(DhtNode node, NodeInfo peer, ImmutableArray<WireContact> rendezvous, string channel, PeerPath path)
    {
        _node = node;
        Peer = peer;
        Rendezvous = rendezvous.IsDefault ? [] : rendezvous;
        Channel = channel;
        _path = (int)path;
    }

    /// <summary>
    /// Raised when the path to the peer changes: <see cref="PeerPath.Direct"/> when a relayed path moved to a
    /// direct one, <see cref="PeerPath.Relayed"/> when a dead direct path fell back to a relay,
    /// <see cref="PeerPath.None"/> when the peer has been silent for two minutes (the node stopped keeping the
    /// path; <see cref="ReconnectAsync"/> tries again). Raised on the node's loop: keep handlers short, and
    /// do not wait on the node in them. An exception a handler throws is counted (<see cref="DhtFaults.Observers"/>) and ignored.
    /// </summary>
    public event EventHandler<PeerPath>? PathChanged;

    /// <summary>The peer.</summary>
    public NodeInfo Peer { get; }

    /// <summary>The peer's rendezvous points (empty for a reachable peer).</summary>
    public ImmutableArray<WireContact> Rendezvous { get; }

    /// <summary>The application channel the messages go to.</summary>
    public string Channel { get; }

    /// <summary>How the node's session with the peer carries packets, as last reported (see <see cref="PathChanged"/>).</summary>
    public PeerPath Path => (PeerPath)Volatile.Read(ref _path);

    /// <summary>The largest payload the current path carries in one message.</summary>
    public int MaxPayload => Path == PeerPath.Relayed ? WireLimits.MaxRelayedAppPayload : DhtNode.MaxAppPayload;

    /// <summary>How the node's session with the peer carries packets now, asked of the node.</summary>
    public async Task<PeerPath> GetPathAsync(CancellationToken cancellationToken = default) =>
        await _node.PathToAsync(Peer, cancellationToken).ConfigureAwait(false);

    /// <summary>Sends a datagram to the peer's application on <see cref="Channel"/> (it may be lost, as UDP).</summary>
    /// <exception cref="ArgumentException">The payload is longer than the path carries.</exception>
    public ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        _node.SendOnChannelAsync(Peer, Channel, payload, cancellationToken);

    /// <summary>
    /// Sends a request to the peer's application on <see cref="Channel"/> and returns its answer (as
    /// <see cref="DhtNode.RequestAsync"/>). When no attempt is answered and the peer has rendezvous points, the
    /// channel punches again (<see cref="ReconnectAsync"/>) and sends the request once more.
    /// </summary>
    /// <exception cref="TimeoutException">No attempt was answered, also after punching again.</exception>
    /// <exception cref="AppRequestRefusedException">The peer refused.</exception>
    public async Task<ReadOnlyMemory<byte>> RequestAsync(ReadOnlyMemory<byte> payload, TimeSpan timeout, int retries = 2, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _node.RequestOnChannelAsync(Peer, Channel, payload, timeout, retries, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!Rendezvous.IsEmpty)
        {
            await ReconnectAsync(cancellationToken).ConfigureAwait(false);
            return await _node.RequestOnChannelAsync(Peer, Channel, payload, timeout, retries, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Punches again through the peer's rendezvous points now, rather than when the node next would: a relayed
    /// channel moves to a direct path if the punch gets through, and a direct one whose NAT mapping changed is
    /// repaired. Falls back to a relay. Also keeps the path again after it was lost (<see cref="PeerPath.None"/>).
    /// </summary>
    /// <returns>The path afterwards.</returns>
    /// <exception cref="TimeoutException">The peer could not be reached at all.</exception>
    public async Task<PeerPath> ReconnectAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await _node.ConnectCoreAsync(Peer, Rendezvous, punchAgain: true, cancellationToken).ConfigureAwait(false);
        return await _node.KeepAsync(this, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the channel: the node stops keeping the path to the peer once no channel to it is open. The session itself stays.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return ValueTask.CompletedTask;
        }

        _node.Release(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>The node's report of a new path (on its loop).</summary>
    internal void OnPathChanged(PeerPath path, Action<Exception> observerFailed)
    {
        if (Interlocked.Exchange(ref _path, (int)path) == (int)path)
        {
            return;
        }

        try
        {
            PathChanged?.Invoke(this, path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            observerFailed(e);
        }
    }

    /// <summary>
    /// The messages the peer sends on <see cref="Channel"/>: this is the node's one receiver of the channel
    /// (see the remarks), dropping what other peers send to it.
    /// </summary>
    public async IAsyncEnumerable<AppMessage> ReceiveAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var message in _node.ReceiveAsync(Channel, cancellationToken).ConfigureAwait(false))
        {
            if (message.SenderId == Peer.Id)
            {
                yield return message;
            }
        }
    }
}
