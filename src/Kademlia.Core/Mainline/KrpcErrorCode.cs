namespace Kademlia.Mainline;

/// <summary>The error codes of KRPC error messages: BEP 5's 201 to 204 and BEP 44's additions.</summary>
public enum KrpcErrorCode
{
    /// <summary>201, generic error.</summary>
    Generic = 201,

    /// <summary>202, server error.</summary>
    Server = 202,

    /// <summary>203, protocol error: a malformed packet, invalid arguments or a bad token.</summary>
    Protocol = 203,

    /// <summary>204, method unknown.</summary>
    MethodUnknown = 204,

    /// <summary>205 (BEP 44), the value <c>v</c> is too big.</summary>
    ValueTooBig = 205,

    /// <summary>206 (BEP 44), invalid signature.</summary>
    InvalidSignature = 206,

    /// <summary>207 (BEP 44), the salt is too big.</summary>
    SaltTooBig = 207,

    /// <summary>301 (BEP 44), the <c>cas</c> did not match the stored sequence number: re-read and try again.</summary>
    CasMismatch = 301,

    /// <summary>302 (BEP 44), the sequence number is less than the stored one.</summary>
    SequenceTooLow = 302,
}
