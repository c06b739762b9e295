using System.Buffers.Binary;
using System.Net;
using Kademlia.Sessions.Internal;
using Kademlia.Sessions.Noise;

namespace Kademlia.Sessions;

/// <content>The responder's side: IK initiations (checked cheapest first) and XX messages 1 and 3.</content>
internal sealed partial class SessionManager
{
    /// <summary>
    /// Answers the first request of an IK initiation delivered as <see cref="DatagramOutcome.FirstRequest"/>:
    /// writes handshake message 2 carrying <paramref name="answer"/> and establishes the session. Refused with
    /// <see cref="SealStatus.AnswerTooLarge"/> when the packet would exceed 3x the initiation (the address is
    /// unproven); the handshake then stays pending so that a shorter answer can still be sent.
    /// </summary>
    public SealResult Respond(DateTimeOffset now, HandshakeToken handshake, ReadOnlySpan<byte> answer, Span<byte> destination)
    {
        if (!_pending.TryGetValue(handshake.Value, out var pending) || pending.Kind != PendingKind.IkResponder)
        {
            return SealResult.Fail(SealStatus.UnknownHandshake);
        }

        if (answer.Length > PacketFormat.MaxResponseAnswer)
        {
            return SealResult.Fail(SealStatus.PayloadTooLarge);
        }

        int size = PacketFormat.ResponseOverhead + answer.Length;
        if (size > PacketFormat.AmplificationFactor * pending.ReceivedSize)
        {
            return SealResult.Fail(SealStatus.AnswerTooLarge);
        }

        if (destination.Length < size)
        {
            return SealResult.Fail(SealStatus.DestinationTooSmall);
        }

        var endPoint = pending.EndPoint;
        int length = WriteIkResponse(now, pending, answer, destination, out _);
        return length < 0 ? SealResult.Fail(SealStatus.HandshakeFailed) : new SealResult(SealStatus.Sealed, length, endPoint);
    }

    /// <summary>Abandons a delivered IK handshake without answering, e.g. when the peer's proof of work is invalid.</summary>
    public void Reject(HandshakeToken handshake)
    {
        if (_pending.TryGetValue(handshake.Value, out var pending) && pending.Kind == PendingKind.IkResponder)
        {
            RemovePending(pending);
        }
    }

    /// <summary>
    /// Writes message 2 and installs the session; -1 (and the handshake abandoned, nothing to send) when Noise
    /// refuses to write it.
    /// </summary>
    private int WriteIkResponse(DateTimeOffset now, PendingHandshake pending, ReadOnlySpan<byte> answer, Span<byte> destination, out SessionDropReason reason)
    {
        PacketFormat.WriteHeader(destination, PacketType.IkResponse, _options.NetworkId);
        WriteIndex(destination, PacketFormat.HeaderSize, pending.LocalIndex);
        WriteIndex(destination, PacketFormat.HeaderSize + PacketFormat.IndexSize, pending.RemoteIndex);
        if (!pending.State.TryWriteMessage(answer, destination[PacketFormat.ResponseNoiseOffset..], out int noiseLength, out var error))
        {
            // "ee" and "se" met keys that already passed "es" and "ss", so this cannot happen with libsodium; were it
            // to, the half-written packet must not leave and the poisoned state must not linger.
            destination[..PacketFormat.MaxPacketSize].Clear();
            RemovePending(pending);
            reason = DropReasonOf(error);
            return -1;
        }

        reason = default;
        int mac1Offset = PacketFormat.ResponseNoiseOffset + noiseLength;

        // The peer may have been evicted while the engine worked on the answer; bring it back if a
        // stranger may still take a place, else abandon the handshake.
        var identity = pending.RemoteIdentity;
        if (GetOrCreatePeer(identity.Key, pending.State.RemoteStaticPublicKey, pending.EndPoint, now, stranger: true) is not { } peer)
        {
            destination[..PacketFormat.MaxPacketSize].Clear();
            RemovePending(pending);
            reason = SessionDropReason.PeerTableFull;
            return -1;
        }

        peer.ProofOfWorkNonce = identity.ProofOfWorkNonce;
        Mac.Compute(peer.Mac1Key, destination[..mac1Offset], destination[mac1Offset..]);
        destination.Slice(mac1Offset + Mac.Size, Mac.Size).Clear();

        var session = new TransportSession(peer, pending.LocalIndex, pending.RemoteIndex, false, pending.State.Split(), now);
        RemovePending(pending);
        InstallSession(peer, session, confirmed: false, now);
        return mac1Offset + (2 * Mac.Size);
    }

    private DatagramResult HandleIkInitiation(DateTimeOffset now, EndPoint from, ReadOnlySpan<byte> packet, Span<byte> destination)
    {
        if (packet.Length < PacketFormat.InitiationMinSize)
        {
            return DatagramResult.Drop(SessionDropReason.Truncated);
        }

        // Cheapest checks first: one HMAC rejects anything not made for our key before any DH is computed.
        int mac1Offset = packet.Length - (2 * Mac.Size);
        int mac2Offset = mac1Offset + Mac.Size;
        if (!Mac.Verify(_ownMac1Key, packet[..mac1Offset], packet.Slice(mac1Offset, Mac.Size)))
        {
            return DatagramResult.Drop(SessionDropReason.InvalidMac1);
        }

        uint senderIndex = ReadIndex(packet, PacketFormat.HeaderSize);
        if (UnderLoad && !_cookies.IsValidMac2(now, from, packet[..mac2Offset], packet[mac2Offset..]))
        {
            int length = _cookies.WriteCookieReply(now, from, _options.NetworkId, senderIndex, default, packet.Slice(mac1Offset, Mac.Size), destination);
            return DatagramResult.Reply(length, from);
        }

        var state = new HandshakeState(HandshakePattern.IK, false, _prologue, _identity.StaticKey, Dh25519.GenerateKey(_random));
        bool keep = false;
        try
        {
            if (!state.TryReadMessage(packet[PacketFormat.InitiationNoiseOffset..mac1Offset], destination, out int payloadLength, out var error))
            {
                return DatagramResult.Drop(DropReasonOf(error));
            }

            if (payloadLength < PacketFormat.InitiationPayloadFixedSize)
            {
                return DatagramResult.Drop(SessionDropReason.MalformedPayload);
            }

            var timestamp = Tai64N.Read(destination);
            var key = new PeerKey(destination.Slice(PacketFormat.TimestampSize, PacketFormat.KeySize));
            int offset = PacketFormat.TimestampSize + PacketFormat.KeySize;
            ulong powNonce = BinaryPrimitives.ReadUInt64BigEndian(destination[offset..]);
            int requestLength = BinaryPrimitives.ReadUInt16BigEndian(destination[(offset + PacketFormat.PowNonceSize)..]);
            if (PacketFormat.InitiationPayloadFixedSize + requestLength > payloadLength)
            {
                return DatagramResult.Drop(SessionDropReason.MalformedPayload);
            }

            if (!TryCheckIdentity(key, state, out var reason))
            {
                return DatagramResult.Drop(reason);
            }

            _peers.TryGetValue(key, out var existing);
            if (existing is null && _options.AcceptIdentity is { } accept && !accept(key, powNonce))
            {
                return DatagramResult.Drop(SessionDropReason.IdentityRefused);
            }

            // WireGuard's replay rule: the timestamp must beat every initiation accepted from this key, also
            // one accepted before the peer was evicted from the table.
            if (timestamp <= (existing?.GreatestTimestamp ?? _retired.GreatestFor(key)))
            {
                return DatagramResult.Drop(SessionDropReason.ReplayedInitiation);
            }

            if (existing is null && !TryAdmitStranger(from, now, out var refusal))
            {
                return DatagramResult.Drop(refusal);
            }

            var peer = GetOrCreatePeer(key, state.RemoteStaticPublicKey, from, now, stranger: true)!;
            peer.GreatestTimestamp = timestamp;

            // Both sides initiated at once. The lower key keeps its initiation (the other side will answer it);
            // the higher key gives its own up and sends that request over the session this one creates.
            if (peer.Pending is { Kind: PendingKind.IkInitiator } ours)
            {
                if (_identity.Key < key)
                {
                    return DatagramResult.Drop(SessionDropReason.SimultaneousInitiation);
                }

                if (ours.Request.Length > 0)
                {
                    peer.DeferredRequest = ours.Request;
                }

                RemovePending(ours);
            }

            peer.EndPoint = from;
            peer.HeardAtEndPoint = now;
            peer.ProofOfWorkNonce = powNonce;
            var pending = new PendingHandshake(PendingKind.IkResponder, state, AllocateIndex(), from, now)
            {
                RemoteIndex = senderIndex,
                ReceivedSize = packet.Length,
                Peer = peer,
                RemoteIdentity = peer.Identity,
            };
            AddPending(pending);
            keep = true;

            if (requestLength == 0)
            {
                // A rekey: nothing for the engine, so answer it here.
                int length = WriteIkResponse(now, pending, default, destination, out var writeFailure);
                return length < 0 ? DatagramResult.Drop(writeFailure) : DatagramResult.Reply(length, from, peer.Identity);
            }

            destination.Slice(PacketFormat.InitiationPayloadFixedSize, requestLength).CopyTo(destination);
            return DatagramResult.Deliver(DatagramOutcome.FirstRequest, requestLength, peer.Identity, from, new HandshakeToken(pending.LocalIndex));
        }
        finally
        {
            if (!keep)
            {
                state.Dispose();
            }
        }
    }

    private DatagramResult HandleXxMessage1(DateTimeOffset now, EndPoint from, ReadOnlySpan<byte> packet, Span<byte> destination)
    {
        if (packet.Length < PacketFormat.XxMessage1MinSize)
        {
            return DatagramResult.Drop(SessionDropReason.Truncated);
        }

        const int ephemeralOffset = PacketFormat.HeaderSize + PacketFormat.IndexSize;
        var ephemeral = packet.Slice(ephemeralOffset, PacketFormat.KeySize);
        if (IsOwnEphemeral(ephemeral))
        {
            return DatagramResult.Drop(SessionDropReason.Reflection);
        }

        uint senderIndex = ReadIndex(packet, PacketFormat.HeaderSize);
        int mac2Offset = packet.Length - Mac.Size;
        if (UnderLoad && !_cookies.IsValidMac2(now, from, packet[..mac2Offset], packet[mac2Offset..]))
        {
            // The responder's key is not known to an XX initiator, so the cookie is sealed under its ephemeral.
            int length = _cookies.WriteCookieReply(now, from, _options.NetworkId, senderIndex, ephemeral, ephemeral, destination);
            return DatagramResult.Reply(length, from);
        }

        var state = new HandshakeState(HandshakePattern.XX, false, _prologue, _identity.StaticKey, Dh25519.GenerateKey(_random));
        if (!state.TryReadMessage(packet[ephemeralOffset..mac2Offset], destination, out _, out var readError))
        {
            state.Dispose();
            return DatagramResult.Drop(DropReasonOf(readError));
        }

        Span<byte> payload = stackalloc byte[PacketFormat.XxMessage2PayloadSize];
        _identity.Key.Span.CopyTo(payload);
        BinaryPrimitives.WriteUInt64BigEndian(payload[PacketFormat.KeySize..], _identity.ProofOfWorkNonce);

        uint localIndex = AllocateIndex();
        PacketFormat.WriteHeader(destination, PacketType.XxMessage2, _options.NetworkId);
        WriteIndex(destination, PacketFormat.HeaderSize, localIndex);
        WriteIndex(destination, PacketFormat.HeaderSize + PacketFormat.IndexSize, senderIndex);

        // Message 1 is only "e", so a small-order ephemeral shows first here, at "ee": nothing is sent and no
        // handshake is kept for it.
        if (!state.TryWriteMessage(payload, destination[(PacketFormat.HeaderSize + (2 * PacketFormat.IndexSize))..], out int noiseLength, out var writeError))
        {
            state.Dispose();
            destination[..PacketFormat.MaxPacketSize].Clear();
            return DatagramResult.Drop(DropReasonOf(writeError));
        }

        AddPending(new PendingHandshake(PendingKind.XxResponder, state, localIndex, from, now) { RemoteIndex = senderIndex });
        return DatagramResult.Reply(PacketFormat.HeaderSize + (2 * PacketFormat.IndexSize) + noiseLength, from);
    }

    private DatagramResult HandleXxMessage3(DateTimeOffset now, EndPoint from, ReadOnlySpan<byte> packet, Span<byte> destination)
    {
        if (packet.Length < PacketFormat.XxMessage3Overhead)
        {
            return DatagramResult.Drop(SessionDropReason.Truncated);
        }

        if (!_pending.TryGetValue(ReadIndex(packet, PacketFormat.HeaderSize), out var pending))
        {
            return DatagramResult.Drop(SessionDropReason.UnknownIndex);
        }

        if (pending.Kind != PendingKind.XxResponder)
        {
            return DatagramResult.Drop(SessionDropReason.UnexpectedPacket);
        }

        if (!pending.State.TryReadMessage(packet[(PacketFormat.HeaderSize + PacketFormat.IndexSize)..], destination, out int payloadLength, out var error))
        {
            return DatagramResult.Drop(DropReasonOf(error));
        }

        if (payloadLength < PacketFormat.XxMessage3PayloadFixedSize)
        {
            RemovePending(pending);
            return DatagramResult.Drop(SessionDropReason.MalformedPayload);
        }

        var key = new PeerKey(destination[..PacketFormat.KeySize]);
        ulong powNonce = BinaryPrimitives.ReadUInt64BigEndian(destination[PacketFormat.KeySize..]);
        int requestLength = BinaryPrimitives.ReadUInt16BigEndian(destination[(PacketFormat.KeySize + PacketFormat.PowNonceSize)..]);
        if (PacketFormat.XxMessage3PayloadFixedSize + requestLength > payloadLength)
        {
            RemovePending(pending);
            return DatagramResult.Drop(SessionDropReason.MalformedPayload);
        }

        if (!TryCheckIdentity(key, pending.State, out var reason))
        {
            RemovePending(pending);
            return DatagramResult.Drop(reason);
        }

        if (!_peers.ContainsKey(key) && _options.AcceptIdentity is { } accept && !accept(key, powNonce))
        {
            RemovePending(pending);
            return DatagramResult.Drop(SessionDropReason.IdentityRefused);
        }

        if (!_peers.ContainsKey(key) && !TryAdmitStranger(from, now, out var refusal))
        {
            RemovePending(pending);
            return DatagramResult.Drop(refusal);
        }

        var peer = GetOrCreatePeer(key, pending.State.RemoteStaticPublicKey, from, now, stranger: true)!;
        peer.EndPoint = from;
        peer.HeardAtEndPoint = now;
        peer.ProofOfWorkNonce = powNonce;
        var session = new TransportSession(peer, pending.LocalIndex, pending.RemoteIndex, false, pending.State.Split(), now);
        RemovePending(pending);

        // Message 3 proves the initiator holds the keys, so this session is confirmed at once.
        session.Confirmed = true;
        InstallSession(peer, session, confirmed: true, now);
        if (requestLength == 0)
        {
            // Nothing for the engine to answer, so confirm the session to the initiator with a keepalive.
            var keepalive = new byte[PacketFormat.TransportOverhead];
            SealInto(session, default, keepalive);
            _outbox.Enqueue(new SessionTransmit(from, keepalive));
            return DatagramResult.Handled(peer.Identity, from);
        }

        destination.Slice(PacketFormat.XxMessage3PayloadFixedSize, requestLength).CopyTo(destination);
        return DatagramResult.Deliver(DatagramOutcome.Data, requestLength, peer.Identity, from);
    }

    private bool IsOwnEphemeral(ReadOnlySpan<byte> ephemeral)
    {
        foreach (var pending in _pendingByAge)
        {
            if (pending.Kind == PendingKind.XxInitiator && pending.State.LocalEphemeralPublicKey.SequenceEqual(ephemeral))
            {
                return true;
            }
        }

        return false;
    }
}
