using Kademlia.Sessions.Noise;

namespace Kademlia.Sessions.Internal;

/// <summary>
/// One established session: the two directional keys from Split(), the indexes on both ends, the send counter
/// and the receive replay window.
/// </summary>
internal sealed class TransportSession : IDisposable
{
    private readonly CipherState _send;
    private readonly CipherState _receive;
    private ulong _sendCounter;

    public TransportSession(PeerState peer, uint localIndex, uint remoteIndex, bool isInitiator, (CipherState Send, CipherState Receive) keys, DateTimeOffset created)
    {
        Peer = peer;
        LocalIndex = localIndex;
        RemoteIndex = remoteIndex;
        IsInitiator = isInitiator;
        (_send, _receive) = keys;
        Created = created;
    }

    public PeerState Peer { get; }

    public uint LocalIndex { get; }

    public uint RemoteIndex { get; }

    /// <summary>Only the side that initiated a session rekeys it on time, as in WireGuard, so both sides do not race.</summary>
    public bool IsInitiator { get; }

    public DateTimeOffset Created { get; }

    public ReplayWindow Window { get; } = new();

    /// <summary>Whether an authenticated packet has arrived on this session, proving the peer holds its keys.</summary>
    public bool Confirmed { get; set; }

    /// <summary>
    /// XX initiator only: the first request carried by message 3, kept until the session is confirmed. Message 3
    /// has no answer of its own, so if it is lost only silence tells; the handshake is then restarted with it.
    /// </summary>
    public byte[]? UnconfirmedRequest { get; set; }

    /// <summary>When the exchange that produced <see cref="UnconfirmedRequest"/> first started.</summary>
    public DateTimeOffset ExchangeStarted { get; set; }

    public ulong SendCounter => _sendCounter;

    public bool CanSend(DateTimeOffset now) => now - Created < SessionTimers.RejectAfterTime && _sendCounter < SessionTimers.RejectAfterMessages;

    public bool CanReceive(DateTimeOffset now) => now - Created < SessionTimers.RejectAfterTime;

    public bool WantsRekey(DateTimeOffset now) =>
        IsInitiator && (now - Created >= SessionTimers.RekeyAfterTime || _sendCounter >= SessionTimers.RekeyAfterMessages);

    /// <summary>Seals <paramref name="payload"/> into <paramref name="ciphertext"/> with the next counter, authenticating <paramref name="header"/>.</summary>
    public void Seal(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload, Span<byte> ciphertext, out ulong counter)
    {
        counter = _sendCounter++;
        _send.EncryptWithNonce(counter, header, payload, ciphertext);
    }

    public bool TryOpen(ulong counter, ReadOnlySpan<byte> header, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext) =>
        _receive.TryDecryptWithNonce(counter, header, ciphertext, plaintext);

    public void Dispose()
    {
        _send.Dispose();
        _receive.Dispose();
    }
}
