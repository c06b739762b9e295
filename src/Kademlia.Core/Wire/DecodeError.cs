namespace Kademlia.Wire;

/// <summary>
/// Why bytes are not a message. Decoding returns one of these and never throws, so a node can drop a
/// bad packet and count it by reason.
/// </summary>
public enum DecodeError
{
    /// <summary>The bytes are exactly one valid message.</summary>
    None = 0,

    /// <summary>The bytes end before the message does.</summary>
    Truncated,

    /// <summary>A whole message was read and bytes remain after it.</summary>
    TrailingBytes,

    /// <summary>The input is longer than <see cref="WireLimits.MaxMessageSize"/>, so no sender could have sent it.</summary>
    MessageTooLarge,

    /// <summary>The first byte is not a known <see cref="MessageType"/>.</summary>
    UnknownMessageType,

    /// <summary>A count of contacts or provider records exceeds its limit in <see cref="WireLimits"/>.</summary>
    CountTooLarge,

    /// <summary>
    /// A value, salt or application-data length exceeds its limit in <see cref="Records.RecordLimits"/>, or an
    /// application payload exceeds <see cref="WireLimits.MaxAppPayload"/>.
    /// </summary>
    FieldTooLong,

    /// <summary>An address family byte is neither 4 nor 6.</summary>
    InvalidAddressFamily,

    /// <summary>
    /// An IPv4-mapped IPv6 address under family 6. Refused because it must be sent as family 4: every
    /// endpoint has exactly one encoding, so accepted bytes always re-encode to themselves.
    /// </summary>
    NonCanonicalAddress,

    /// <summary>A record kind byte is neither 1 (immutable) nor 2 (mutable).</summary>
    InvalidRecordKind,

    /// <summary>A presence byte of an optional field is neither 0 nor 1.</summary>
    InvalidFlag,

    /// <summary>A PUT_RESULT status or an ERROR code is not one this version defines.</summary>
    InvalidCode,

    /// <summary>
    /// An application channel name is empty, longer than <see cref="AppChannel.MaxLength"/> bytes, or has a
    /// byte outside printable ASCII (0x21 to 0x7E).
    /// </summary>
    InvalidChannel,
}
