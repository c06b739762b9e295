namespace Kademlia.Records;

/// <summary>
/// The hard size limits of records, fixed by the protocol so that every record fits one packet.
/// </summary>
/// <remarks>
/// A network may accept less (<see cref="Identity.NetworkParameters.MaxValueSize"/>, checked by the
/// store) but never more: a mutable record of 1000 value bytes and 64 salt bytes is 1171 bytes on the
/// wire, which leaves room in a 1246-byte message for its header and a compare-and-swap field.
/// </remarks>
public static class RecordLimits
{
    /// <summary>Largest record value in bytes: 1000, as BEP 44.</summary>
    public const int MaxValueSize = 1000;

    /// <summary>Largest salt of a mutable record in bytes: 64, as BEP 44.</summary>
    public const int MaxSaltSize = 64;

    /// <summary>
    /// Largest application data of a provider record in bytes: 128, room for a short description of
    /// what is provided (a game table's stakes and seats) while several providers still fit one answer.
    /// </summary>
    public const int MaxApplicationDataSize = 128;

    /// <summary>
    /// Most rendezvous contacts a provider record carries: 3. A client behind a NAT keeps sessions with
    /// its 8 closest contacts anyway (its keepalives); three of them give a joiner a second and third
    /// chance when one has gone, while a record with three IPv6 contacts still fits several to an answer.
    /// </summary>
    public const int MaxRendezvous = 3;

    /// <summary>
    /// The application data length byte that marks a provider record with rendezvous contacts (format v2):
    /// 0xFF, far above <see cref="MaxApplicationDataSize"/>, so a v1 record never starts its tail with it.
    /// </summary>
    public const byte RendezvousMarker = 0xFF;

    /// <summary>Length of an Ed25519 signature in bytes.</summary>
    public const int SignatureSize = 64;
}
