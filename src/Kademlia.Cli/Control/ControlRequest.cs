namespace Kademlia.Cli.Control;

/// <summary>
/// One operation asked of a node, as <c>kad</c> sends it to the daemon's control endpoint (one JSON
/// line) and as the one-shot mode runs it in process. Keys, topics and targets are 64 hex digits,
/// already parsed and checked by the client; byte strings are base64 in JSON.
/// </summary>
internal sealed class ControlRequest
{
    /// <summary>The control token from the data directory; null in one-shot mode.</summary>
    public string? Token { get; set; }

    /// <summary>put, get, announce, providers, find, ping or status.</summary>
    public string Op { get; set; } = "";

    /// <summary>put: the value.</summary>
    public byte[]? Value { get; set; }

    /// <summary>put/get: a mutable record (signed with the node's key) rather than an immutable one.</summary>
    public bool Mutable { get; set; }

    /// <summary>put (mutable): the salt that names the record among the publisher's.</summary>
    public byte[]? Salt { get; set; }

    /// <summary>put (mutable): the sequence to publish; null = one more than the highest found.</summary>
    public ulong? Sequence { get; set; }

    /// <summary>put (mutable): compare-and-swap on this stored sequence (0 = nothing stored); null = the sequence found, when <see cref="Sequence"/> is null.</summary>
    public ulong? ExpectedSequence { get; set; }

    /// <summary>get: the record key.</summary>
    public string? Key { get; set; }

    /// <summary>announce/providers: the topic ID.</summary>
    public string? Topic { get; set; }

    /// <summary>announce: application data published with the provider record.</summary>
    public byte[]? Data { get; set; }

    /// <summary>find: the target ID.</summary>
    public string? Target { get; set; }

    /// <summary>ping: a contact string or host:port.</summary>
    public string? Peer { get; set; }

    /// <summary>providers: most providers to collect.</summary>
    public int? Max { get; set; }
}
