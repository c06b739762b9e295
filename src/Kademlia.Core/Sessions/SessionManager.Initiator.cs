using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using Kademlia.Sessions.Internal;
using Kademlia.Sessions.Noise;

namespace Kademlia.Sessions;

/// <content>The initiator's side: IK and XX initiations, cookie replies, handshake responses.</content>
internal sealed partial class SessionManager
{
    /// <summary>
    /// Starts an IK handshake with a peer whose key is known, carrying <paramref name="request"/> (at most
    /// <see cref="PacketFormat.MaxInitiationRequest"/> bytes). Any earlier initiation to the peer is abandoned.
    /// The packet is padded so that an answer of <paramref name="expectedAnswerSize"/> bytes (default
    /// <see cref="SessionOptions.DefaultExpectedAnswerSize"/>) stays within 3x of it. Retries are automatic
    /// (<see cref="HandleTimeout"/>) for 90 s.
    /// </summary>
    public SealResult InitiateIk(DateTimeOffset now, PeerKey responder, EndPoint endPoint, ReadOnlySpan<byte> request, Span<byte> destination, int expectedAnswerSize = -1)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        if (request.Length > PacketFormat.MaxInitiationRequest)
        {
            return SealResult.Fail(SealStatus.PayloadTooLarge);
        }

        if (destination.Length < PacketFormat.MaxPacketSize)
        {
            return SealResult.Fail(SealStatus.DestinationTooSmall);
        }

        if (responder.IsEmpty || responder == _identity.Key)
        {
            return SealResult.Fail(SealStatus.InvalidPeerKey);
        }

        // A known peer's X25519 key was converted when it entered the table; convert only strangers' keys.
        if (!_peers.TryGetValue(responder, out var peer))
        {
            Span<byte> staticKey = stackalloc byte[Dh25519.KeySize];
            if (!KeyConversion.TryConvertPublicKey(responder.Span, staticKey))
            {
                return SealResult.Fail(SealStatus.InvalidPeerKey);
            }

            peer = GetOrCreatePeer(responder, staticKey, endPoint, now, stranger: false)!;
        }
        else
        {
            Touch(peer, now);
        }

        peer.EndPoint = endPoint;
        int expected = expectedAnswerSize < 0 ? _options.DefaultExpectedAnswerSize : expectedAnswerSize;
        int length = StartIk(now, peer, request.ToArray(), expected, now, destination);
        return length < 0 ? SealResult.Fail(SealStatus.InvalidPeerKey) : new SealResult(SealStatus.Sealed, length, endPoint);
    }

    /// <summary>
    /// Starts an XX handshake with a peer known only by address (e.g. a bootstrap node). Its identity arrives
    /// in message 2 (reported with the <see cref="DatagramOutcome.Reply"/> carrying message 3), the request
    /// travels in message 3 and the answer returns as transport data.
    /// </summary>
    public SealResult InitiateXx(DateTimeOffset now, EndPoint endPoint, ReadOnlySpan<byte> request, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        if (request.Length > PacketFormat.MaxXxRequest)
        {
            return SealResult.Fail(SealStatus.PayloadTooLarge);
        }

        if (destination.Length < PacketFormat.MaxPacketSize)
        {
            return SealResult.Fail(SealStatus.DestinationTooSmall);
        }

        int length = StartXx(now, endPoint, request.ToArray(), now, destination);
        return length < 0 ? SealResult.Fail(SealStatus.HandshakeFailed) : new SealResult(SealStatus.Sealed, length, endPoint);
    }

    /// <summary>
    /// Writes an IK initiation and records it as the peer's pending handshake; -1 when Noise refuses (a DH with
    /// the peer's static key gave all zeros, which a key that passed the Ed25519 conversion never does).
    /// </summary>
    private int StartIk(DateTimeOffset now, PeerState peer, byte[] request, int expectedAnswerSize, DateTimeOffset started, Span<byte> destination)
    {
        if (peer.Pending is { } previous)
        {
            RemovePending(previous);
        }

        // Padding rule: the answer (94 + answer bytes) must fit in 3x this packet, and never below the floor.
        int answerPacket = PacketFormat.ResponseOverhead + Math.Clamp(expectedAnswerSize, 0, PacketFormat.MaxResponseAnswer);
        int target = Math.Max((answerPacket + PacketFormat.AmplificationFactor - 1) / PacketFormat.AmplificationFactor, _options.MinInitiationSize);
        int size = Math.Min(Math.Max(PacketFormat.InitiationMinSize + request.Length, target), PacketFormat.MaxPacketSize);
        int payloadLength = size - PacketFormat.InitiationOverhead;

        Span<byte> payload = stackalloc byte[PacketFormat.MaxPacketSize];
        payload = payload[..payloadLength];
        payload.Clear();
        NextTimestamp(now).Write(payload);
        _identity.Key.Span.CopyTo(payload[PacketFormat.TimestampSize..]);
        BinaryPrimitives.WriteUInt64BigEndian(payload[(PacketFormat.TimestampSize + PacketFormat.KeySize)..], _identity.ProofOfWorkNonce);
        BinaryPrimitives.WriteUInt16BigEndian(payload[(PacketFormat.TimestampSize + PacketFormat.KeySize + PacketFormat.PowNonceSize)..], (ushort)request.Length);
        request.CopyTo(payload[PacketFormat.InitiationPayloadFixedSize..]);

        uint index = AllocateIndex();
        var state = new HandshakeState(HandshakePattern.IK, true, _prologue, _identity.StaticKey, Dh25519.GenerateKey(_random), peer.StaticPublicKey);
        PacketFormat.WriteHeader(destination, PacketType.IkInitiation, _options.NetworkId);
        WriteIndex(destination, PacketFormat.HeaderSize, index);
        bool written = state.TryWriteMessage(payload, destination[PacketFormat.InitiationNoiseOffset..], out int noiseLength);
        payload.Clear();
        if (!written)
        {
            state.Dispose();
            destination[..PacketFormat.MaxPacketSize].Clear();
            return -1;
        }

        int mac1Offset = PacketFormat.InitiationNoiseOffset + noiseLength;
        Mac.Compute(peer.Mac1Key, destination[..mac1Offset], destination[mac1Offset..]);
        var mac2 = destination.Slice(mac1Offset + Mac.Size, Mac.Size);
        if (peer.Cookie is { } cookie && now - peer.CookieReceived < SessionTimers.CookieSecretLifetime)
        {
            Mac.Compute(cookie, destination[..(mac1Offset + Mac.Size)], mac2);
        }
        else
        {
            mac2.Clear();
        }

        var pending = new PendingHandshake(PendingKind.IkInitiator, state, index, peer.EndPoint, now)
        {
            Request = request,
            ExpectedAnswerSize = expectedAnswerSize,
            Started = started,
            Packet = destination[..size].ToArray(),
            Peer = peer,
        };
        AddPending(pending);
        peer.Pending = pending;
        return size;
    }

    /// <summary>Writes XX message 1 and records the pending handshake; -1 when Noise refuses (it has no DH, so only a short buffer).</summary>
    private int StartXx(DateTimeOffset now, EndPoint endPoint, byte[] request, DateTimeOffset started, Span<byte> destination)
    {
        uint index = AllocateIndex();
        var state = new HandshakeState(HandshakePattern.XX, true, _prologue, _identity.StaticKey, Dh25519.GenerateKey(_random));
        PacketFormat.WriteHeader(destination, PacketType.XxMessage1, _options.NetworkId);
        WriteIndex(destination, PacketFormat.HeaderSize, index);
        if (!state.TryWriteMessage(default, destination[(PacketFormat.HeaderSize + PacketFormat.IndexSize)..], out int noiseLength))
        {
            state.Dispose();
            return -1;
        }
        int size = PacketFormat.HeaderSize + PacketFormat.IndexSize + noiseLength + Mac.Size;
        destination.Slice(size - Mac.Size, Mac.Size).Clear();

        var pending = new PendingHandshake(PendingKind.XxInitiator, state, index, endPoint, now)
        {
            Request = request,
            Started = started,
            Packet = destination[..size].ToArray(),
        };
        AddPending(pending);
        return size;
    }

    /// <summary>A rekey is an IK handshake with no request; the responder answers it by itself.</summary>
    private void StartRekey(DateTimeOffset now, PeerState peer)
    {
        var buffer = new byte[PacketFormat.MaxPacketSize];
        int length = StartIk(now, peer, [], 0, now, buffer);
        if (length > 0)
        {
            _outbox.Enqueue(new SessionTransmit(peer.EndPoint, buffer[..length]));
        }
    }

    private DatagramResult HandleCookieReply(DateTimeOffset now, ReadOnlySpan<byte> packet, Span<byte> destination)
    {
        if (packet.Length != PacketFormat.CookieReplySize)
        {
            return DatagramResult.Drop(packet.Length < PacketFormat.CookieReplySize ? SessionDropReason.Truncated : SessionDropReason.TooLarge);
        }

        if (!_pending.TryGetValue(ReadIndex(packet, PacketFormat.HeaderSize), out var pending))
        {
            return DatagramResult.Drop(SessionDropReason.UnknownIndex);
        }

        if (pending.Kind is not (PendingKind.IkInitiator or PendingKind.XxInitiator) || pending.Packet is not { } sent || pending.CookieUsed)
        {
            return DatagramResult.Drop(SessionDropReason.InvalidCookieReply);
        }

        bool ik = pending.Kind == PendingKind.IkInitiator;
        ReadOnlySpan<byte> keyMaterial = ik ? pending.Peer!.StaticPublicKey : pending.State.LocalEphemeralPublicKey;
        ReadOnlySpan<byte> binding = ik ? sent.AsSpan(sent.Length - (2 * Mac.Size), Mac.Size) : pending.State.LocalEphemeralPublicKey;
        Span<byte> cookie = stackalloc byte[Mac.Size];
        if (!CookieChecker.TryOpenCookieReply(packet, keyMaterial, binding, cookie))
        {
            return DatagramResult.Drop(SessionDropReason.InvalidCookieReply);
        }

        pending.CookieUsed = true;
        if (ik)
        {
            pending.Peer!.Cookie = cookie.ToArray();
            pending.Peer.CookieReceived = now;
        }

        // The responder never processed the packet (it only checked mac1), so the same bytes with a mac2
        // are a valid retry: same ephemeral, same timestamp, no new state on either side.
        Mac.Compute(cookie, sent.AsSpan(0, sent.Length - Mac.Size), sent.AsSpan(sent.Length - Mac.Size));
        sent.CopyTo(destination);
        pending.LastSent = now;
        return DatagramResult.Reply(sent.Length, pending.EndPoint);
    }

    private DatagramResult HandleIkResponse(DateTimeOffset now, EndPoint from, ReadOnlySpan<byte> packet, Span<byte> destination)
    {
        if (packet.Length < PacketFormat.ResponseOverhead)
        {
            return DatagramResult.Drop(SessionDropReason.Truncated);
        }

        if (!_pending.TryGetValue(ReadIndex(packet, PacketFormat.HeaderSize + PacketFormat.IndexSize), out var pending))
        {
            return DatagramResult.Drop(SessionDropReason.UnknownIndex);
        }

        if (pending.Kind != PendingKind.IkInitiator || pending.Peer is not { } peer)
        {
            return DatagramResult.Drop(SessionDropReason.UnexpectedPacket);
        }

        int mac1Offset = packet.Length - (2 * Mac.Size);
        if (!Mac.Verify(_ownMac1Key, packet[..mac1Offset], packet.Slice(mac1Offset, Mac.Size)))
        {
            return DatagramResult.Drop(SessionDropReason.InvalidMac1);
        }

        if (!pending.State.TryReadMessage(packet[PacketFormat.ResponseNoiseOffset..mac1Offset], destination, out int answerLength, out var error))
        {
            return DatagramResult.Drop(DropReasonOf(error));
        }

        var session = new TransportSession(peer, pending.LocalIndex, ReadIndex(packet, PacketFormat.HeaderSize), true, pending.State.Split(), now);
        bool rekey = pending.Request.Length == 0;
        RemovePending(pending);
        peer.EndPoint = from;
        peer.HeardAtEndPoint = now;
        Touch(peer, now);
        InstallSession(peer, session, confirmed: true, now);
        return rekey
            ? DatagramResult.Handled(peer.Identity, from)
            : DatagramResult.Deliver(DatagramOutcome.FirstAnswer, answerLength, peer.Identity, from);
    }

    private DatagramResult HandleXxMessage2(DateTimeOffset now, EndPoint from, ReadOnlySpan<byte> packet, Span<byte> destination)
    {
        if (packet.Length != PacketFormat.XxMessage2Size)
        {
            return DatagramResult.Drop(packet.Length < PacketFormat.XxMessage2Size ? SessionDropReason.Truncated : SessionDropReason.TooLarge);
        }

        if (!_pending.TryGetValue(ReadIndex(packet, PacketFormat.HeaderSize + PacketFormat.IndexSize), out var pending))
        {
            return DatagramResult.Drop(SessionDropReason.UnknownIndex);
        }

        if (pending.Kind != PendingKind.XxInitiator)
        {
            return DatagramResult.Drop(SessionDropReason.UnexpectedPacket);
        }

        Span<byte> payload = stackalloc byte[PacketFormat.XxMessage2PayloadSize + CipherState.TagSize];
        if (!pending.State.TryReadMessage(packet[(PacketFormat.HeaderSize + (2 * PacketFormat.IndexSize))..], payload, out int payloadLength, out var readError))
        {
            return DatagramResult.Drop(DropReasonOf(readError));
        }

        if (payloadLength != PacketFormat.XxMessage2PayloadSize)
        {
            RemovePending(pending);
            return DatagramResult.Drop(SessionDropReason.MalformedPayload);
        }

        var key = new PeerKey(payload[..PacketFormat.KeySize]);
        ulong powNonce = BinaryPrimitives.ReadUInt64BigEndian(payload[PacketFormat.KeySize..]);
        if (!TryCheckIdentity(key, pending.State, out var reason))
        {
            RemovePending(pending);
            return DatagramResult.Drop(reason);
        }

        // Message 3: our identity and the first request.
        var request = pending.Request;
        Span<byte> payload3 = stackalloc byte[PacketFormat.XxMessage3PayloadFixedSize + request.Length];
        _identity.Key.Span.CopyTo(payload3);
        BinaryPrimitives.WriteUInt64BigEndian(payload3[PacketFormat.KeySize..], _identity.ProofOfWorkNonce);
        BinaryPrimitives.WriteUInt16BigEndian(payload3[(PacketFormat.KeySize + PacketFormat.PowNonceSize)..], (ushort)request.Length);
        request.CopyTo(payload3[PacketFormat.XxMessage3PayloadFixedSize..]);

        uint remoteIndex = ReadIndex(packet, PacketFormat.HeaderSize);
        PacketFormat.WriteHeader(destination, PacketType.XxMessage3, _options.NetworkId);
        WriteIndex(destination, PacketFormat.HeaderSize, remoteIndex);
        if (!pending.State.TryWriteMessage(payload3, destination[(PacketFormat.HeaderSize + PacketFormat.IndexSize)..], out int noiseLength, out var writeError))
        {
            // "se" uses the ephemeral that already passed "ee": not reachable with libsodium, but a poisoned state
            // must not linger nor a half-written message leave.
            destination[..PacketFormat.MaxPacketSize].Clear();
            RemovePending(pending);
            return DatagramResult.Drop(DropReasonOf(writeError));
        }

        int size = PacketFormat.HeaderSize + PacketFormat.IndexSize + noiseLength;

        var peer = GetOrCreatePeer(key, pending.State.RemoteStaticPublicKey, from, now, stranger: false)!;
        peer.EndPoint = from;
        peer.HeardAtEndPoint = now;
        peer.ProofOfWorkNonce = powNonce;
        var session = new TransportSession(peer, pending.LocalIndex, remoteIndex, true, pending.State.Split(), now)
        {
            UnconfirmedRequest = request,
            ExchangeStarted = pending.Started,
        };
        RemovePending(pending);
        InstallSession(peer, session, confirmed: true, now);
        return DatagramResult.Reply(size, from, peer.Identity);
    }

    /// <summary>
    /// The Ed25519 key in a payload must map to the Noise static key just authenticated, and must not be ours:
    /// our own key coming back means a packet of ours was reflected.
    /// </summary>
    private bool TryCheckIdentity(PeerKey key, HandshakeState state, out SessionDropReason reason)
    {
        // The conversion is a pure function of the key, so a known peer's cached result serves (it saves a
        // libsodium conversion, which costs more than an X25519 multiplication).
        Span<byte> converted = stackalloc byte[Dh25519.KeySize];
        if (_peers.TryGetValue(key, out var known))
        {
            known.StaticPublicKey.CopyTo(converted);
        }
        else if (!KeyConversion.TryConvertPublicKey(key.Span, converted))
        {
            converted.Clear();
        }

        if (!CryptographicOperations.FixedTimeEquals(converted, state.RemoteStaticPublicKey))
        {
            reason = SessionDropReason.IdentityMismatch;
            return false;
        }

        if (key == _identity.Key)
        {
            reason = SessionDropReason.Reflection;
            return false;
        }

        reason = default;
        return true;
    }

    /// <summary>
    /// Gives up an IK initiation of ours to <paramref name="peer"/> that is still unanswered: no more
    /// retries. The engine calls it when the request it carried timed out, so retries never outlive the
    /// operation that caused them. Requests queued for the handshake fail at their own deadlines.
    /// </summary>
    public void AbandonInitiation(PeerKey peer)
    {
        // A rekey (empty request) is left alone: it serves the session, not one request.
        if (_peers.TryGetValue(peer, out var state) && state.Pending is { Kind: PendingKind.IkInitiator, Request.Length: > 0 } pending)
        {
            RemovePending(pending);
        }
    }
}