using System.Buffers.Binary;
using System.Net;
using Kademlia.Sessions.Internal;

namespace Kademlia.Sessions;

/// <content>The transport path: sealing and opening data packets. No allocation beyond the caller's buffer.</content>
internal sealed partial class SessionManager
{
    /// <summary>
    /// Seals <paramref name="plaintext"/> for <paramref name="peer"/> into <paramref name="destination"/> (34 bytes
    /// more than the plaintext). Returns <see cref="SealStatus.NeedsHandshake"/> when no usable session exists.
    /// When the session is due for rekeying, a new handshake is queued for <see cref="TryPollTransmit"/> and the
    /// data still goes out on the current session.
    /// </summary>
    public SealResult SealTo(DateTimeOffset now, PeerKey peer, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        if (plaintext.Length > PacketFormat.MaxTransportPayload)
        {
            return SealResult.Fail(SealStatus.PayloadTooLarge);
        }

        if (destination.Length < PacketFormat.TransportOverhead + plaintext.Length)
        {
            return SealResult.Fail(SealStatus.DestinationTooSmall);
        }

        if (!_peers.TryGetValue(peer, out var state) || SendableSession(state, now) is not { } session)
        {
            return SealResult.Fail(SealStatus.NeedsHandshake);
        }

        int length = SealInto(session, plaintext, destination);
        Touch(state, now);
        if (session.WantsRekey(now) && state.Pending is null)
        {
            StartRekey(now, state);
        }

        return new SealResult(SealStatus.Sealed, length, state.EndPoint);
    }

    /// <summary>Whether the newest packet from <paramref name="from"/> moves <paramref name="peer"/> there (see <see cref="SessionOptions.IsIndirect"/>).</summary>
    private bool MayRoam(PeerState peer, EndPoint from, DateTimeOffset now) =>
        _options.IsIndirect is not { } indirect
        || !indirect(from)
        || indirect(peer.EndPoint)
        || now - peer.HeardAtEndPoint >= _options.IndirectFallbackAfter;

    private int SealInto(TransportSession session, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        PacketFormat.WriteHeader(destination, PacketType.TransportData, _options.NetworkId);
        WriteIndex(destination, PacketFormat.HeaderSize, session.RemoteIndex);
        session.Seal(destination[..PacketFormat.HeaderSize], plaintext, destination[PacketFormat.TransportCiphertextOffset..], out ulong counter);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[(PacketFormat.HeaderSize + PacketFormat.IndexSize)..], counter);
        return PacketFormat.TransportOverhead + plaintext.Length;
    }

    private DatagramResult HandleTransport(DateTimeOffset now, EndPoint from, ReadOnlySpan<byte> packet, Span<byte> destination)
    {
        if (packet.Length < PacketFormat.TransportOverhead)
        {
            return DatagramResult.Drop(SessionDropReason.Truncated);
        }

        if (!_sessions.TryGetValue(ReadIndex(packet, PacketFormat.HeaderSize), out var session))
        {
            return DatagramResult.Drop(SessionDropReason.UnknownIndex);
        }

        if (!session.CanReceive(now))
        {
            return DatagramResult.Drop(SessionDropReason.SessionExpired);
        }

        // The window is consulted before decryption (cheap rejection of replays) and advanced only after the
        // tag verified, so forged counters cannot push genuine packets out of the window.
        ulong counter = BinaryPrimitives.ReadUInt64LittleEndian(packet[(PacketFormat.HeaderSize + PacketFormat.IndexSize)..]);
        if (!session.Window.IsFresh(counter))
        {
            return DatagramResult.Drop(SessionDropReason.Replayed);
        }

        if (!session.TryOpen(counter, packet[..PacketFormat.HeaderSize], packet[PacketFormat.TransportCiphertextOffset..], destination))
        {
            return DatagramResult.Drop(SessionDropReason.DecryptionFailed);
        }

        if (!session.Window.TryMark(counter))
        {
            // IsFresh said yes a moment ago and nothing ran in between; kept as a guard, not a path.
            return DatagramResult.Drop(SessionDropReason.Replayed);
        }

        session.Confirmed = true;
        session.UnconfirmedRequest = null;
        var peer = session.Peer;
        MarkVerified(peer);
        if (peer.Next == session)
        {
            Promote(peer, session);
        }

        // Roaming as in WireGuard: the latest authenticated packet says where the peer is. Only the newest
        // packet of the current session counts, so that one sent earlier on another path (a relay, slower
        // than the direct path it moved to) and overtaken on the way does not move the peer back; and an
        // indirect path takes over from a direct one only once the direct one has been silent for a while.
        EndPoint? roamedFrom = null;
        if (from.Equals(peer.EndPoint))
        {
            peer.HeardAtEndPoint = now;
        }
        else if (peer.Current == session && session.Window.IsGreatest(counter) && MayRoam(peer, from, now))
        {
            roamedFrom = peer.EndPoint;
            peer.EndPoint = from;
            peer.HeardAtEndPoint = now;
        }

        Touch(peer, now);
        int length = packet.Length - PacketFormat.TransportOverhead;
        return (length == 0
            ? DatagramResult.Handled(peer.Identity, from)
            : DatagramResult.Deliver(DatagramOutcome.Data, length, peer.Identity, from)) with { RoamedFrom = roamedFrom };
    }
}
