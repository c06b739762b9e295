namespace Kademlia.Wire;

/// <summary>What a PUNCH_ACK reports; the numbers are the wire encoding.</summary>
public enum PunchStatus : byte
{
    /// <summary>To PUNCH_REQUEST: the target was sent a PUNCH_NOTIFY; the ack carries the target's observed contact.</summary>
    Notified = 0,

    /// <summary>To PUNCH_REQUEST: this node keeps no session with a client of that ID; ask another rendezvous.</summary>
    UnknownTarget = 1,

    /// <summary>To PUNCH_REQUEST or PUNCH_NOTIFY: refused by a rate limit (per requester, per target or per rendezvous).</summary>
    RateLimited = 2,

    /// <summary>To PUNCH_REQUEST: the requester's address is not proven yet (the request rode in a handshake); ask again on the session.</summary>
    Unproven = 3,

    /// <summary>To PUNCH_NOTIFY: the target is sending to the requester's observed endpoint.</summary>
    Dialing = 4,
}
