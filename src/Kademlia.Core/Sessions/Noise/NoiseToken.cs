namespace Kademlia.Sessions.Noise;

/// <summary>The message-pattern tokens of Noise revision 34 (section 7.1) used by IK and XX.</summary>
internal enum NoiseToken : byte
{
    /// <summary>Send or receive an ephemeral public key.</summary>
    E,

    /// <summary>Send or receive a static public key, encrypted once a key exists.</summary>
    S,

    /// <summary>DH(initiator ephemeral, responder ephemeral).</summary>
    EE,

    /// <summary>DH(initiator ephemeral, responder static).</summary>
    ES,

    /// <summary>DH(initiator static, responder ephemeral).</summary>
    SE,

    /// <summary>DH(initiator static, responder static).</summary>
    SS,
}
