namespace Kademlia.Wire;

/// <summary>What a PROBE_ACK reports; the numbers are the wire encoding.</summary>
public enum ProbeStatus : byte
{
    /// <summary>To PROBE: another node was asked to dial the asker's observed endpoint.</summary>
    Forwarded = 0,

    /// <summary>To PROBE: no other node to ask (the helper knows no one but the asker).</summary>
    NoCandidate = 1,

    /// <summary>To PROBE or PROBE_FORWARD: refused by a rate limit; ask later or elsewhere.</summary>
    RateLimited = 2,

    /// <summary>To PROBE_FORWARD: the dial is being sent.</summary>
    Dialing = 3,

    /// <summary>To PROBE_DIAL: the dial arrived.</summary>
    Received = 4,
}
