using Kademlia.Routing;

namespace Kademlia.Mainline;

/// <summary>
/// One KRPC message, the whole of one UDP datagram (BEP 5): a transaction ID, a body, and the optional
/// top-level keys other BEPs add.
/// </summary>
/// <param name="TransactionId">
/// <c>t</c>: chosen by the asker, echoed by the answer; BEP 5 suggests two bytes.
/// </param>
/// <param name="Body">The query, response or error.</param>
public sealed record KrpcMessage(BencodeString TransactionId, KrpcBody Body)
{
    /// <summary><c>v</c>: the sender's client name and version, conventionally four bytes. Null when absent.</summary>
    public BencodeString? ClientVersion { get; init; }

    /// <summary>
    /// <c>ip</c> (BEP 42): in a response, the asker's address and port as the answerer saw them, so a node
    /// can learn its external address and derive its node ID from it. Null when absent.
    /// </summary>
    public NodeEndpoint? ExternalEndpoint { get; init; }

    /// <summary>
    /// <c>ro = 1</c> (BEP 43): the querying node is read-only: it cannot answer queries and must not be added
    /// to routing tables.
    /// </summary>
    public bool ReadOnly { get; init; }
}
