namespace Kademlia.Sessions;

/// <summary>What <see cref="SessionManager.HandleDatagram"/> did with a datagram.</summary>
internal enum DatagramOutcome
{
    /// <summary>Dropped; <see cref="DatagramResult.DropReason"/> says why.</summary>
    Dropped,

    /// <summary>Consumed with nothing to deliver or send (e.g. a keepalive, a rekey completing).</summary>
    Handled,

    /// <summary>The destination holds a packet to send to <see cref="DatagramResult.EndPoint"/> (cookie reply, XX message 2 or 3, rekey response).</summary>
    Reply,

    /// <summary>
    /// The destination holds the first request of an IK initiation. Check the peer's proof of work, then answer
    /// with <see cref="SessionManager.Respond"/> and <see cref="DatagramResult.Handshake"/> (or <see cref="SessionManager.Reject"/>).
    /// </summary>
    FirstRequest,

    /// <summary>The destination holds the answer to our IK initiation's first request; the session is established.</summary>
    FirstAnswer,

    /// <summary>The destination holds transport plaintext (including the first request of an XX message 3).</summary>
    Data,
}
