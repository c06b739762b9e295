namespace Kademlia.Records;

/// <summary>Why a record is not acceptable. Validation returns one of these and never throws.</summary>
public enum RecordError
{
    /// <summary>The record is valid.</summary>
    None = 0,

    /// <summary>The record is valid but is not stored under the key it was asked for or offered at.</summary>
    KeyMismatch,

    /// <summary>The Ed25519 signature does not verify under the record's public key (or the key is not a curve point).</summary>
    InvalidSignature,
}
