using System.Security.Cryptography;
using System.Text;

namespace Kademlia.Sessions.Noise;

/// <summary>
/// The Noise <c>HandshakeState</c> (revision 34, section 5.3) for <see cref="HandshakePattern.IK"/> and
/// <see cref="HandshakePattern.XX"/> with 25519, ChaChaPoly and SHA-256.
/// </summary>
/// <remarks>
/// The ephemeral key is always supplied by the caller: production code draws it from an
/// <see cref="IRandomSource"/>, the vector tests import the published one. Any failure (bad tag, short
/// message, rejected DH) while writing poisons the state. A failed read is rolled back instead: anyone can
/// send a forged message 2 to a known index, and it must not kill the genuine handshake in progress
/// (Noise says to abort; over lossy UDP with unauthenticated indexes, WireGuard likewise ignores it).
/// Every DH whose result is all zeros (a small-order remote key) fails the message with
/// <see cref="HandshakeError.LowOrderKey"/>, so no key is ever derived from a value an attacker can predict.
/// </remarks>
internal sealed class HandshakeState : IDisposable
{
    private static readonly byte[] IkName = Encoding.ASCII.GetBytes("Noise_IK_25519_ChaChaPoly_SHA256");
    private static readonly byte[] XxName = Encoding.ASCII.GetBytes("Noise_XX_25519_ChaChaPoly_SHA256");

    private static readonly NoiseToken[][] IkMessages =
    [
        [NoiseToken.E, NoiseToken.ES, NoiseToken.S, NoiseToken.SS],
        [NoiseToken.E, NoiseToken.EE, NoiseToken.SE],
    ];

    private static readonly NoiseToken[][] XxMessages =
    [
        [NoiseToken.E],
        [NoiseToken.E, NoiseToken.EE, NoiseToken.S, NoiseToken.ES],
        [NoiseToken.S, NoiseToken.SE],
    ];

    private readonly SymmetricState _symmetric;
    private readonly NoiseToken[][] _messages;
    private readonly X25519KeyPair _localStatic;
    private readonly byte[] _localStaticPublic = new byte[Dh25519.KeySize];
    private readonly X25519KeyPair _localEphemeral;
    private readonly byte[] _localEphemeralPublic = new byte[Dh25519.KeySize];
    private readonly byte[] _remoteStatic = new byte[Dh25519.KeySize];
    private readonly byte[] _remoteEphemeral = new byte[Dh25519.KeySize];
    private bool _hasRemoteStatic;
    private bool _hasRemoteEphemeral;
    private int _messageIndex;
    private bool _failed;

    /// <summary>
    /// Initialize(): hashes the protocol name, the prologue and the pre-message keys.
    /// </summary>
    /// <param name="pattern">IK or XX.</param>
    /// <param name="initiator">Whether this side sends the first message.</param>
    /// <param name="prologue">Data both sides must agree on; any difference fails the first authenticated message.</param>
    /// <param name="localStatic">This side's X25519 static key; borrowed, not disposed.</param>
    /// <param name="localEphemeral">A fresh X25519 key for this handshake only; owned and disposed with the state.</param>
    /// <param name="remoteStatic">The responder's static public key; required for an IK initiator, ignored otherwise.</param>
    public HandshakeState(
        HandshakePattern pattern,
        bool initiator,
        ReadOnlySpan<byte> prologue,
        X25519KeyPair localStatic,
        X25519KeyPair localEphemeral,
        ReadOnlySpan<byte> remoteStatic = default)
    {
        Pattern = pattern;
        IsInitiator = initiator;
        _localStatic = localStatic;
        _localEphemeral = localEphemeral;
        Dh25519.ExportPublicKey(localStatic, _localStaticPublic);
        Dh25519.ExportPublicKey(localEphemeral, _localEphemeralPublic);
        _messages = pattern == HandshakePattern.IK ? IkMessages : XxMessages;
        _symmetric = new SymmetricState(pattern == HandshakePattern.IK ? IkName : XxName);
        _symmetric.MixHash(prologue);

        if (pattern == HandshakePattern.IK)
        {
            // Pre-message "<- s": both sides hash the responder's static key.
            if (initiator)
            {
                if (remoteStatic.Length != Dh25519.KeySize)
                {
                    throw new ArgumentException("An IK initiator needs the responder's 32-byte static key.", nameof(remoteStatic));
                }

                remoteStatic.CopyTo(_remoteStatic);
                _hasRemoteStatic = true;
                _symmetric.MixHash(_remoteStatic);
            }
            else
            {
                _symmetric.MixHash(_localStaticPublic);
            }
        }
    }

    /// <summary>The pattern being run.</summary>
    public HandshakePattern Pattern { get; }

    /// <summary>Whether this side sent the first message.</summary>
    public bool IsInitiator { get; }

    /// <summary>Whether every message of the pattern has been written or read.</summary>
    public bool IsCompleted => !_failed && _messageIndex == _messages.Length;

    /// <summary>Whether the next operation is <c>TryWriteMessage</c> (otherwise <c>TryReadMessage</c>).</summary>
    public bool IsMyTurn => !_failed && _messageIndex < _messages.Length && (_messageIndex % 2 == 0) == IsInitiator;

    /// <summary>The remote static key, once it is known (pre-message or received).</summary>
    public ReadOnlySpan<byte> RemoteStaticPublicKey => _hasRemoteStatic ? _remoteStatic : ReadOnlySpan<byte>.Empty;

    /// <summary>The remote ephemeral key, once received.</summary>
    public ReadOnlySpan<byte> RemoteEphemeralPublicKey => _hasRemoteEphemeral ? _remoteEphemeral : ReadOnlySpan<byte>.Empty;

    /// <summary>This side's ephemeral public key.</summary>
    public ReadOnlySpan<byte> LocalEphemeralPublicKey => _localEphemeralPublic;

    /// <summary>The handshake hash h; after completion it uniquely identifies the session.</summary>
    public ReadOnlySpan<byte> HandshakeHash => _symmetric.HandshakeHash;

    /// <summary>The size of the next message when it carries a payload of <paramref name="payloadLength"/> bytes.</summary>
    public int GetNextMessageSize(int payloadLength)
    {
        if (_messageIndex >= _messages.Length)
        {
            return -1;
        }

        bool hasKey = _symmetric.HasKey;
        int size = 0;
        foreach (var token in _messages[_messageIndex])
        {
            switch (token)
            {
                case NoiseToken.E:
                    size += Dh25519.KeySize;
                    break;
                case NoiseToken.S:
                    size += Dh25519.KeySize + (hasKey ? CipherState.TagSize : 0);
                    break;
                default:
                    hasKey = true;
                    break;
            }
        }

        return size + payloadLength + (hasKey ? CipherState.TagSize : 0);
    }

    /// <summary>WriteMessage(payload, message_buffer). False if it is not our turn, the buffer is small or a DH fails.</summary>
    public bool TryWriteMessage(ReadOnlySpan<byte> payload, Span<byte> destination, out int written) =>
        TryWriteMessage(payload, destination, out written, out _);

    /// <summary>
    /// WriteMessage(payload, message_buffer), saying why it failed. A failed write poisons the state: the message
    /// may be half written and the hash has moved, so the handshake must be abandoned.
    /// </summary>
    public bool TryWriteMessage(ReadOnlySpan<byte> payload, Span<byte> destination, out int written, out HandshakeError error)
    {
        written = 0;
        if (!IsMyTurn)
        {
            error = HandshakeError.InvalidState;
            return false;
        }

        if (destination.Length < GetNextMessageSize(payload.Length))
        {
            error = HandshakeError.Truncated;
            return false;
        }

        int offset = 0;
        foreach (var token in _messages[_messageIndex])
        {
            switch (token)
            {
                case NoiseToken.E:
                    _localEphemeralPublic.CopyTo(destination[offset..]);
                    _symmetric.MixHash(_localEphemeralPublic);
                    offset += Dh25519.KeySize;
                    break;
                case NoiseToken.S:
                    if (!_symmetric.TryEncryptAndHash(_localStaticPublic, destination[offset..], out int n))
                    {
                        return Fail(HandshakeError.Truncated, out error);
                    }

                    offset += n;
                    break;
                default:
                    if (!TryMixDh(token, out error))
                    {
                        return Fail(error, out error);
                    }

                    break;
            }
        }

        if (!_symmetric.TryEncryptAndHash(payload, destination[offset..], out int payloadWritten))
        {
            return Fail(HandshakeError.Truncated, out error);
        }

        written = offset + payloadWritten;
        _messageIndex++;
        error = HandshakeError.None;
        return true;
    }

    /// <summary>
    /// ReadMessage(message, payload_buffer). False on any malformed or unauthenticated input, in which case
    /// the state is exactly as before the call.
    /// </summary>
    public bool TryReadMessage(ReadOnlySpan<byte> message, Span<byte> payload, out int payloadLength) =>
        TryReadMessage(message, payload, out payloadLength, out _);

    /// <summary>ReadMessage(message, payload_buffer), saying why it failed; a failed read leaves the state as it was.</summary>
    public bool TryReadMessage(ReadOnlySpan<byte> message, Span<byte> payload, out int payloadLength, out HandshakeError error)
    {
        payloadLength = 0;
        if (_failed || _messageIndex >= _messages.Length || (_messageIndex % 2 == 0) != !IsInitiator)
        {
            error = HandshakeError.InvalidState;
            return false;
        }

        Span<byte> snapshot = stackalloc byte[SymmetricState.SnapshotSize];
        _symmetric.Save(snapshot, out ulong nonce, out bool hasKey);
        bool hadRemoteStatic = _hasRemoteStatic;
        bool hadRemoteEphemeral = _hasRemoteEphemeral;
        if (TryReadTokens(message, payload, out payloadLength, out error))
        {
            return true;
        }

        _symmetric.Restore(snapshot, nonce, hasKey);
        _hasRemoteStatic = hadRemoteStatic;
        _hasRemoteEphemeral = hadRemoteEphemeral;
        _failed = false;
        snapshot.Clear();
        payloadLength = 0;
        return false;
    }

    private bool TryReadTokens(ReadOnlySpan<byte> message, Span<byte> payload, out int payloadLength, out HandshakeError error)
    {
        payloadLength = 0;
        int offset = 0;
        foreach (var token in _messages[_messageIndex])
        {
            switch (token)
            {
                case NoiseToken.E:
                    if (message.Length - offset < Dh25519.KeySize || _hasRemoteEphemeral)
                    {
                        return Fail(HandshakeError.Truncated, out error);
                    }

                    message.Slice(offset, Dh25519.KeySize).CopyTo(_remoteEphemeral);
                    _hasRemoteEphemeral = true;
                    _symmetric.MixHash(_remoteEphemeral);
                    offset += Dh25519.KeySize;
                    break;
                case NoiseToken.S:
                    int length = _symmetric.EncryptedSize(Dh25519.KeySize);
                    if (message.Length - offset < length || _hasRemoteStatic)
                    {
                        return Fail(HandshakeError.Truncated, out error);
                    }

                    if (!_symmetric.TryDecryptAndHash(message.Slice(offset, length), _remoteStatic, out _))
                    {
                        return Fail(HandshakeError.DecryptionFailed, out error);
                    }

                    _hasRemoteStatic = true;
                    offset += length;
                    break;
                default:
                    if (!TryMixDh(token, out error))
                    {
                        return Fail(error, out error);
                    }

                    break;
            }
        }

        var rest = message[offset..];
        if (rest.Length < _symmetric.EncryptedSize(0) || payload.Length < rest.Length - _symmetric.EncryptedSize(0))
        {
            return Fail(HandshakeError.Truncated, out error);
        }

        if (!_symmetric.TryDecryptAndHash(rest, payload, out payloadLength))
        {
            return Fail(HandshakeError.DecryptionFailed, out error);
        }

        _messageIndex++;
        error = HandshakeError.None;
        return true;
    }

    /// <summary>
    /// Split(): the transport keys, from this side's point of view. Only valid once <see cref="IsCompleted"/>.
    /// </summary>
    public (CipherState Send, CipherState Receive) Split()
    {
        if (!IsCompleted)
        {
            throw new InvalidOperationException("The handshake is not complete.");
        }

        var (initiatorToResponder, responderToInitiator) = _symmetric.Split();
        return IsInitiator ? (initiatorToResponder, responderToInitiator) : (responderToInitiator, initiatorToResponder);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _symmetric.Dispose();
        _localEphemeral.Dispose();
    }

    private bool TryMixDh(NoiseToken token, out HandshakeError error)
    {
        // Which of our keys meets which of theirs depends on the role: "es" is the initiator's ephemeral with
        // the responder's static, so the responder computes it as its static with the remote ephemeral.
        (X25519KeyPair local, byte[] remote, bool known) = token switch
        {
            NoiseToken.EE => (_localEphemeral, _remoteEphemeral, _hasRemoteEphemeral),
            NoiseToken.SS => (_localStatic, _remoteStatic, _hasRemoteStatic),
            NoiseToken.ES => IsInitiator ? (_localEphemeral, _remoteStatic, _hasRemoteStatic) : (_localStatic, _remoteEphemeral, _hasRemoteEphemeral),
            NoiseToken.SE => IsInitiator ? (_localStatic, _remoteEphemeral, _hasRemoteEphemeral) : (_localEphemeral, _remoteStatic, _hasRemoteStatic),
            _ => throw new InvalidOperationException("Not a DH token."),
        };

        if (!known)
        {
            error = HandshakeError.InvalidState;
            return false;
        }

        Span<byte> shared = stackalloc byte[Dh25519.KeySize];
        bool ok = Dh25519.TryAgree(local, remote, shared);
        if (ok)
        {
            _symmetric.MixKey(shared);
        }

        CryptographicOperations.ZeroMemory(shared);
        error = ok ? HandshakeError.None : HandshakeError.LowOrderKey;
        return ok;
    }

    private bool Fail(HandshakeError reason, out HandshakeError error)
    {
        _failed = true;
        error = reason;
        return false;
    }
}
