using System.Buffers.Binary;

namespace Kademlia.Sessions;

/// <summary>
/// The outer framing of every UDP datagram, and the byte layout of each session packet.
/// </summary>
/// <remarks>
/// <para>
/// The normative description, with offsets tables, the state machine and test vectors, is the "Packets and
/// sessions" section of docs/PROTOCOL.md; this block is the summary kept next to the code.
/// </para>
/// <code>
/// Every packet (all multi-byte integers big-endian unless marked LE):
///   0      version          1 byte   = 1; anything else is dropped (UnsupportedVersion)
///   1      type             1 byte   1 IK initiation, 2 IK response, 3 cookie reply, 4 transport data,
///                                    5 XX message 1, 6 XX message 2, 7 XX message 3
///   2..5   network ID       uint32   packets of another network are dropped (WrongNetwork)
/// Indexes are opaque 32-bit values chosen at random by their owner and written little-endian (as in
/// WireGuard); a receiver index always names a slot of the packet's recipient. No packet exceeds 1280 bytes.
///
/// Noise prologue of every handshake: "KAD1" || version (1 byte) || network ID (uint32), so a handshake
/// cannot be moved between protocol versions or networks.
/// mac(key, data) = HMAC-SHA256(key, data) truncated to 16 bytes.
///
/// 1  IK initiation (Noise_IK message 1: e, es, s, ss)                      192 + request + padding bytes
///   6   sender index (LE)     4
///   10  ephemeral             32
///   42  encrypted static      48
///   90  encrypted payload     P + 16, P = timestamp (12, TAI64N: 2^62 + Unix seconds, then nanoseconds)
///                             || Ed25519 public key (32) || PoW nonce (8) || request length (2) || request
///                             || zero padding. A zero-length request means "handshake only" (rekey).
///   ..  mac1                  16  mac(SHA-256("mac1" || responder X25519 static), every byte before mac1)
///   ..  mac2                  16  zero, or mac(cookie, every byte before mac2) when the responder asked
/// 2  IK response (Noise_IK message 2: e, ee, se)                           94 + answer bytes
///   6   sender index (LE)     4
///   10  receiver index (LE)   4   the initiator's sender index
///   14  ephemeral             32
///   46  encrypted payload     answer + 16 (the answer to the first request, opaque)
///   ..  mac1                  16  keyed by SHA-256("mac1" || initiator X25519 static)
///   ..  mac2                  16  always zero (the initiator has proven nothing yet to cookie-check)
/// 3  cookie reply                                                          66 bytes
///   6   receiver index (LE)   4   the sender index of the handshake that triggered it
///   10  nonce                 24  random
///   34  encrypted cookie      32  XChaCha20-Poly1305(key = SHA-256("cookie" || K), nonce, cookie, ad = A)
///       cookie = mac(secret(now), source IP bytes || source port (2)), secret rotated every 120 s.
///       IK: K = responder X25519 static, A = the initiation's mac1.
///       XX: K = the initiator's ephemeral, A = that ephemeral (the responder's key is not yet known).
/// 4  transport data                                                        34 + payload bytes
///   6   receiver index (LE)   4
///   10  counter (LE)          8   also the AEAD nonce; sliding replay window on the receiver
///   18  ciphertext            payload + 16, ChaCha20-Poly1305 with the per-direction key from Split(),
///                             associated data = bytes 0..5 (the header). Empty payload = keepalive.
/// 5  XX message 1 (e)                                                      58 bytes (longer accepted)
///   6   sender index (LE)     4
///   10  ephemeral             32
///   42  payload               the cleartext Noise payload: sent empty, ignored when present
///   ..  mac2                  16  zero, or mac(cookie, every byte before mac2) under load
/// 6  XX message 2 (e, ee, s, es)                                           150 bytes
///   6   sender index (LE)     4
///   10  receiver index (LE)   4
///   14  ephemeral             32
///   46  encrypted static      48
///   94  encrypted payload     56: responder Ed25519 public key (32) || PoW nonce (8), + 16
/// 7  XX message 3 (s, se)                                                  116 + request bytes
///   6   receiver index (LE)   4
///   10  encrypted static      48
///   58  encrypted payload     Ed25519 public key (32) || PoW nonce (8) || request length (2) || request, + 16
///       The answer travels back as transport data.
///
/// Amplification rule: before an address is proven, the responder never sends more than 3x the bytes it
/// received from it. A cookie reply (66) is far below 3x the smallest initiation (192 for IK, 58 for XX);
/// XX message 2 (150) is below 3x XX message 1 (58); the IK response (94 + answer) is refused when it would
/// exceed 3x the initiation, so the initiator pads its initiation to ceil((94 + expected answer) / 3).
/// </code>
/// </remarks>
internal static class PacketFormat
{
    /// <summary>The only protocol version this code speaks.</summary>
    public const byte Version = 1;

    /// <summary>IPv6 minimum MTU: no datagram is fragmented on any path we support.</summary>
    public const int MaxPacketSize = 1280;

    /// <summary>Version, type and network ID.</summary>
    public const int HeaderSize = 6;

    /// <summary>Size of a sender or receiver index.</summary>
    public const int IndexSize = 4;

    /// <summary>Size of mac1, mac2 and cookies.</summary>
    public const int MacSize = 16;

    /// <summary>Size of a Curve25519 or Ed25519 key.</summary>
    public const int KeySize = 32;

    /// <summary>AEAD tag size.</summary>
    public const int TagSize = 16;

    /// <summary>TAI64N timestamp size.</summary>
    public const int TimestampSize = 12;

    /// <summary>Size of the proof-of-work nonce.</summary>
    public const int PowNonceSize = 8;

    /// <summary>Size of the request length prefix.</summary>
    public const int RequestLengthSize = 2;

    /// <summary>The fixed part of the IK initiation payload: timestamp, Ed25519 key, PoW nonce, request length.</summary>
    public const int InitiationPayloadFixedSize = TimestampSize + KeySize + PowNonceSize + RequestLengthSize;

    /// <summary>Offset of the Noise message in an IK initiation.</summary>
    public const int InitiationNoiseOffset = HeaderSize + IndexSize;

    /// <summary>IK initiation size without payload: header, index, e, encrypted s, payload tag, mac1, mac2.</summary>
    public const int InitiationOverhead = InitiationNoiseOffset + KeySize + KeySize + TagSize + TagSize + MacSize + MacSize;

    /// <summary>The smallest well-formed IK initiation (empty request, no padding).</summary>
    public const int InitiationMinSize = InitiationOverhead + InitiationPayloadFixedSize;

    /// <summary>Offset of the Noise message in an IK response.</summary>
    public const int ResponseNoiseOffset = HeaderSize + IndexSize + IndexSize;

    /// <summary>IK response size without the answer.</summary>
    public const int ResponseOverhead = ResponseNoiseOffset + KeySize + TagSize + MacSize + MacSize;

    /// <summary>Nonce size of XChaCha20-Poly1305.</summary>
    public const int CookieNonceSize = 24;

    /// <summary>Cookie reply size.</summary>
    public const int CookieReplySize = HeaderSize + IndexSize + CookieNonceSize + MacSize + TagSize;

    /// <summary>Offset of the ciphertext in transport data.</summary>
    public const int TransportCiphertextOffset = HeaderSize + IndexSize + sizeof(ulong);

    /// <summary>Transport data size without the payload.</summary>
    public const int TransportOverhead = TransportCiphertextOffset + TagSize;

    /// <summary>The largest transport payload.</summary>
    public const int MaxTransportPayload = MaxPacketSize - TransportOverhead;

    /// <summary>XX message 1 size without padding: header, index, e, mac2.</summary>
    public const int XxMessage1MinSize = HeaderSize + IndexSize + KeySize + MacSize;

    /// <summary>XX message 2 payload: Ed25519 key and PoW nonce.</summary>
    public const int XxMessage2PayloadSize = KeySize + PowNonceSize;

    /// <summary>XX message 2 size (fixed).</summary>
    public const int XxMessage2Size = HeaderSize + IndexSize + IndexSize + KeySize + KeySize + TagSize + XxMessage2PayloadSize + TagSize;

    /// <summary>The fixed part of the XX message 3 payload.</summary>
    public const int XxMessage3PayloadFixedSize = KeySize + PowNonceSize + RequestLengthSize;

    /// <summary>XX message 3 size without the request.</summary>
    public const int XxMessage3Overhead = HeaderSize + IndexSize + KeySize + TagSize + XxMessage3PayloadFixedSize + TagSize;

    /// <summary>A responder never answers an unproven address with more than this many times the bytes received.</summary>
    public const int AmplificationFactor = 3;

    /// <summary>The largest request an IK initiation can carry.</summary>
    public const int MaxInitiationRequest = MaxPacketSize - InitiationMinSize;

    /// <summary>The largest request XX message 3 can carry.</summary>
    public const int MaxXxRequest = MaxPacketSize - XxMessage3Overhead;

    /// <summary>The largest answer an IK response can carry.</summary>
    public const int MaxResponseAnswer = MaxPacketSize - ResponseOverhead;

    /// <summary>Writes the common header.</summary>
    public static void WriteHeader(Span<byte> packet, PacketType type, uint networkId)
    {
        packet[0] = Version;
        packet[1] = (byte)type;
        BinaryPrimitives.WriteUInt32BigEndian(packet[2..], networkId);
    }

    /// <summary>Reads and checks the common header; never throws.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> packet, uint networkId, out PacketType type, out SessionDropReason reason)
    {
        type = default;
        if (packet.Length < HeaderSize)
        {
            reason = SessionDropReason.Truncated;
            return false;
        }

        if (packet.Length > MaxPacketSize)
        {
            reason = SessionDropReason.TooLarge;
            return false;
        }

        if (packet[0] != Version)
        {
            reason = SessionDropReason.UnsupportedVersion;
            return false;
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(packet[2..]) != networkId)
        {
            reason = SessionDropReason.WrongNetwork;
            return false;
        }

        type = (PacketType)packet[1];
        if (type is < PacketType.IkInitiation or > PacketType.XxMessage3)
        {
            reason = SessionDropReason.UnknownPacketType;
            return false;
        }

        reason = default;
        return true;
    }

    /// <summary>Writes the Noise prologue "KAD1" || version || network ID (9 bytes).</summary>
    public static void WritePrologue(Span<byte> destination, uint networkId)
    {
        "KAD1"u8.CopyTo(destination);
        destination[4] = Version;
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], networkId);
    }

    /// <summary>Size of the prologue.</summary>
    public const int PrologueSize = 9;
}
