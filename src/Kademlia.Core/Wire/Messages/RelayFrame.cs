namespace Kademlia.Wire;

/// <summary>
/// RELAY_SEND and RELAY_DELIVER: one session packet between two nodes that cannot reach each other, carried
/// through a rendezvous node. In RELAY_SEND, from a node to the rendezvous, <see cref="Peer"/> is the
/// destination; in RELAY_DELIVER, from the rendezvous on, it is the source. The packet is the two nodes' own end-to-end encrypted session packet (a handshake
/// message or transport data), opaque to the rendezvous. Never answered, like APP_DATAGRAM.
/// </summary>
public sealed record RelayFrame : Message
{
    private readonly byte[] _packet;

    /// <summary>Builds a RELAY frame with a copy of <paramref name="packet"/>.</summary>
    /// <param name="requestId">Random.</param>
    /// <param name="peer">The destination (sent to the rendezvous) or the source (sent by it).</param>
    /// <param name="packet">At most <see cref="WireLimits.MaxRelayedPacket"/> bytes.</param>
    /// <param name="delivered">True for RELAY_DELIVER (from the rendezvous), false for RELAY_SEND (to it).</param>
    /// <exception cref="ArgumentException">The packet is too large.</exception>
    public RelayFrame(ulong requestId, Identity.NodeId peer, ReadOnlySpan<byte> packet, bool delivered)
        : this(requestId, peer, packet.ToArray(), delivered)
    {
    }

    private RelayFrame(ulong requestId, Identity.NodeId peer, byte[] owned, bool delivered)
        : base(requestId)
    {
        IsDelivery = delivered;
        if (owned.Length > WireLimits.MaxRelayedPacket)
        {
            throw new ArgumentException($"A relayed packet is at most {WireLimits.MaxRelayedPacket} bytes, not {owned.Length}.", "packet");
        }

        Peer = peer;
        _packet = owned;
    }

    /// <inheritdoc/>
    public override MessageType Type => IsDelivery ? MessageType.RelayDeliver : MessageType.RelaySend;

    /// <summary>True for RELAY_DELIVER (from the rendezvous, <see cref="Peer"/> the source), false for RELAY_SEND.</summary>
    public bool IsDelivery { get; }

    /// <summary>The destination (to the rendezvous) or the source (from the rendezvous).</summary>
    public Identity.NodeId Peer { get; }

    /// <summary>The end-to-end session packet, opaque to the rendezvous.</summary>
    public ReadOnlyMemory<byte> Packet => _packet;

    /// <summary>Takes ownership of a packet the decoder has already bounded.</summary>
    internal static RelayFrame FromOwned(ulong requestId, Identity.NodeId peer, byte[] packet, bool delivered) => new(requestId, peer, packet, delivered);

    /// <inheritdoc/>
    public bool Equals(RelayFrame? other) =>
        other is not null && RequestId == other.RequestId && IsDelivery == other.IsDelivery && Peer == other.Peer && _packet.AsSpan().SequenceEqual(other._packet);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(RequestId, Peer, _packet.Length);

    internal override void Sealed()
    {
    }
}
