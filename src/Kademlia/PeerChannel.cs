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
/// <para>A relayed channel moves to a direct path by itself when a later punch gets through
/// (<see cref="ReconnectAsync"/> asks for one); <see cref="RequestAsync"/> punches again once when a request
/// times out, which is how the channel survives a NAT rebinding (a router that forgot its mappings, a new
/// outside port). A relayed path carries at most <see cref="WireLimits.MaxRelayedAppPayload"/> bytes per
/// message and what the relay's limits allow (by default 128 KiB per direction every 2 minutes).</para>
/// <para>Receiving is per channel on the node (<see cref="DhtNode.ReceiveAsync"/>): <see cref="ReceiveAsync"/>
/// is that one receiver, filtered to this peer. A host that talks to several peers on one channel receives
/// with <see cref="DhtNode.ReceiveAsync"/> and sends on each peer's channel.</para>
/// </remarks>
public sealed class PeerChannel
{
    private readonly DhtNode _node;

    internal PeerChannel(DhtNode node, NodeInfo peer, ImmutableArray<WireContact> rendezvous, string channel, PeerPath path)
    {
        _node = node;
        Peer = peer;
        Rendezvous = rendezvous.IsDefault ? [] : rendezvous;
        Channel = channel;
        Path = path;
    }

    /// <summary>The peer.</summary>
    public NodeInfo Peer { get; }

    /// <summary>The peer's rendezvous points (empty for a reachable peer).</summary>
    public ImmutableArray<WireContact> Rendezvous { get; }

    /// <summary>The application channel the messages go to.</summary>
    public string Channel { get; }

    /// <summary>The path as of the last connect (<see cref="GetPathAsync"/> asks the node for the current one).</summary>
    public PeerPath Path { get; private set; }

    /// <summary>The largest payload the current path carries in one message.</summary>
    public int MaxPayload => Path == PeerPath.Relayed ? WireLimits.MaxRelayedAppPayload : DhtNode.MaxAppPayload;

    /// <summary>How the node's session with the peer carries packets now (it moves from relayed to direct by itself).</summary>
    public async Task<PeerPath> GetPathAsync(CancellationToken cancellationToken = default)
    {
        Path = await _node.PathToAsync(Peer, cancellationToken).ConfigureAwait(false);
        return Path;
    }

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
    /// Punches again through the peer's rendezvous points: a relayed channel moves to a direct path if the
    /// punch gets through, and a direct one whose NAT mapping changed is repaired. Falls back to a relay.
    /// </summary>
    /// <returns>The path afterwards.</returns>
    /// <exception cref="TimeoutException">The peer could not be reached at all.</exception>
    public async Task<PeerPath> ReconnectAsync(CancellationToken cancellationToken = default)
    {
        var result = await _node.ConnectCoreAsync(Peer, Rendezvous, punchAgain: true, cancellationToken).ConfigureAwait(false);
        Path = result.Via;
        return Path;
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
