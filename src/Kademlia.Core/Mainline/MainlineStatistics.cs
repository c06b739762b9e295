namespace Kademlia.Mainline;

/// <summary>Counters of a <see cref="MainlineEngine"/>: what it received, answered, sent and dropped.</summary>
public sealed class MainlineStatistics
{
    /// <summary>Datagrams handed to the engine.</summary>
    public long DatagramsReceived { get; internal set; }

    /// <summary>Datagrams that were not valid KRPC (dropped; an unknown method is answered with 204).</summary>
    public long Malformed { get; internal set; }

    /// <summary>Queries answered.</summary>
    public long QueriesAnswered { get; internal set; }

    /// <summary>Queries dropped by the per-address rate limit.</summary>
    public long RateLimited { get; internal set; }

    /// <summary>Queries left unanswered because this node is read-only (BEP 43).</summary>
    public long IgnoredWhileReadOnly { get; internal set; }

    /// <summary>Queries from read-only nodes (BEP 43), answered but whose senders were kept out of the table.</summary>
    public long ReadOnlyQueriers { get; internal set; }

    /// <summary>Answering nodes kept out of the table because their ID does not match their address (BEP 42).</summary>
    public long NodeIdsRefused { get; internal set; }

    /// <summary>Responses and errors that matched no query in flight (late, forged or from another address).</summary>
    public long Unmatched { get; internal set; }

    /// <summary>Queries sent.</summary>
    public long QueriesSent { get; internal set; }

    /// <summary>Queries not sent because too many were in flight.</summary>
    public long QueriesNotSent { get; internal set; }
}
