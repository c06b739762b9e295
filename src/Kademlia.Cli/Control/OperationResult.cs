namespace Kademlia.Cli.Control;

/// <summary>
/// What an operation produced, the same for the daemon and the one-shot mode, and what
/// <c>--json</c> prints. Only the fields of the operation are set (null fields are not written).
/// </summary>
internal sealed class OperationResult
{
    public string Op { get; set; } = "";

    /// <summary>Whether the network did what was asked (false maps to exit code 1).</summary>
    public bool Succeeded { get; set; }

    /// <summary>put/get: the record key; announce/providers: the topic.</summary>
    public string? Key { get; set; }

    /// <summary>put/announce: nodes that stored it (including this one).</summary>
    public int? Stored { get; set; }

    /// <summary>put/announce: nodes asked to store it.</summary>
    public int? Attempted { get; set; }

    /// <summary>put/announce: refusals by reason, e.g. SequenceMismatch.</summary>
    public Dictionary<string, int>? Rejections { get; set; }

    /// <summary>put/get of a mutable record: its sequence.</summary>
    public ulong? Sequence { get; set; }

    /// <summary>get: the sequence of the first valid value found (mutable), before any newer one replaced it.</summary>
    public ulong? FirstSequence { get; set; }

    /// <summary>get: milliseconds from the start to the first valid value.</summary>
    public double? FirstValueMs { get; set; }

    /// <summary>get: the value (base64 in JSON).</summary>
    public byte[]? Value { get; set; }

    /// <summary>get: the value as text, when it is valid UTF-8.</summary>
    public string? Text { get; set; }

    /// <summary>
    /// get, on a miss: the other record kind ("mutable" or "immutable") when a value of that kind exists
    /// under the key (the user asked for the wrong kind).
    /// </summary>
    public string? OtherKind { get; set; }

    /// <summary>Why the operation failed, as the library reports it (<c>OperationFailure</c>: NotFound, StoredLocallyOnly, CasMismatch...); null on success.</summary>
    public string? Failure { get; set; }

    /// <summary>get: nodes that returned a valid copy.</summary>
    public int? Holders { get; set; }

    /// <summary>find: the closest nodes that answered, closest first.</summary>
    public List<NodeSummary>? Closest { get; set; }

    /// <summary>find/get: the lookup path, first hop first.</summary>
    public List<HopSummary>? Path { get; set; }

    /// <summary>providers: every provider found.</summary>
    public List<ProviderSummary>? Providers { get; set; }

    /// <summary>ping: the node that answered.</summary>
    public NodeSummary? Peer { get; set; }

    /// <summary>ping: round-trip time.</summary>
    public double? RttMs { get; set; }

    /// <summary>ping: our address as the peer saw it.</summary>
    public string? ObservedEndpoint { get; set; }

    /// <summary>Requests sent for the operation.</summary>
    public int? Messages { get; set; }

    /// <summary>Wall time of the operation.</summary>
    public double? DurationMs { get; set; }

    /// <summary>status: the node's state.</summary>
    public StatusSummary? Status { get; set; }
}

/// <summary>A node as printed: ID, contact string and, in a lookup, bits shared with the target.</summary>
internal sealed record NodeSummary(string Id, string Contact, int? SharedBits = null);

/// <summary>One hop of a lookup path.</summary>
internal sealed record HopSummary(int Depth, string Id, string Contact, int SharedBits, double? RttMs);

/// <summary>A provider of a topic with its application data.</summary>
internal sealed record ProviderSummary(string Id, string Contact, byte[] Data, string? Text, DateTimeOffset PublishedAt);
