namespace Kademlia.Wire;

/// <summary>
/// The first byte of every message. Requests have the high bit clear; their answers have it set, so a
/// node can drop an unsolicited answer (or a request sent as one) from the first byte alone.
/// </summary>
public enum MessageType : byte
{
    /// <summary>Liveness check; answered by <see cref="Pong"/>.</summary>
    Ping = 0x01,

    /// <summary>Asks for the k contacts closest to a target; answered by <see cref="Nodes"/>.</summary>
    FindNode = 0x02,

    /// <summary>Asks for a value record; answered by <see cref="Value"/> or <see cref="Nodes"/>.</summary>
    Get = 0x03,

    /// <summary>Offers a value record for storage; answered by <see cref="PutResult"/>.</summary>
    Put = 0x04,

    /// <summary>Offers a provider record for storage; answered by <see cref="PutResult"/>.</summary>
    AddProvider = 0x05,

    /// <summary>Asks for the providers of a topic; answered by <see cref="Providers"/>.</summary>
    GetProviders = 0x06,

    /// <summary>Asks for a reachability probe (a dial from a third node); answered by <see cref="ProbeAck"/>.</summary>
    Probe = 0x07,

    /// <summary>Asks a node to dial a prober's observed endpoint; answered by <see cref="ProbeAck"/>.</summary>
    ProbeForward = 0x08,

    /// <summary>The probe itself, sent unsolicited; answered by <see cref="ProbeAck"/>.</summary>
    ProbeDial = 0x09,

    /// <summary>An application's request on a channel; answered by <see cref="AppResponse"/>, written by the receiving application.</summary>
    AppRequest = 0x0A,

    /// <summary>An application's one-way datagram on a channel: the one request that is never answered.</summary>
    AppDatagram = 0x0B,

    /// <summary>Asks a rendezvous node to have one of its clients punch towards the requester; answered by <see cref="PunchAck"/>.</summary>
    PunchRequest = 0x0C,

    /// <summary>Tells a client, from its rendezvous, to send to a requester's observed endpoint; answered by <see cref="PunchAck"/>.</summary>
    PunchNotify = 0x0D,

    /// <summary>An end-to-end session packet for a rendezvous node to pass on to a destination: never answered.</summary>
    RelaySend = 0x0E,

    /// <summary>An end-to-end session packet a rendezvous node passes on from a source: never answered.</summary>
    RelayDeliver = 0x0F,

    /// <summary>Answers <see cref="Ping"/> with the requester's endpoint as seen by the responder.</summary>
    Pong = 0x81,

    /// <summary>Up to k contacts closer to the target.</summary>
    Nodes = 0x82,

    /// <summary>The record asked for, with a few closer contacts if they fit.</summary>
    Value = 0x83,

    /// <summary>Whether a PUT or ADD_PROVIDER was stored, and if not why.</summary>
    PutResult = 0x84,

    /// <summary>Provider records of a topic and closer contacts.</summary>
    Providers = 0x86,

    /// <summary>What was done about a PROBE, PROBE_FORWARD or PROBE_DIAL.</summary>
    ProbeAck = 0x87,

    /// <summary>The receiving application's answer to an APP_REQUEST.</summary>
    AppResponse = 0x8A,

    /// <summary>What was done about a PUNCH_REQUEST or PUNCH_NOTIFY.</summary>
    PunchAck = 0x8C,

    /// <summary>The request could not be served; carries an <see cref="ErrorCode"/>.</summary>
    Error = 0xFF,
}
