using Kademlia.Routing;

namespace Kademlia.Engine;

/// <summary>
/// The outcome of a ping started with <see cref="KademliaEngine.PingWithCompletion"/>, read with
/// <see cref="KademliaEngine.PollPingCompletion"/>: the facts of a <see cref="PingResult"/> in a value, so a
/// host that pings at a high rate allocates nothing per ping.
/// </summary>
/// <param name="Query">The ping.</param>
/// <param name="Peer">The node that answered (the contact the ping was sent to), or null when none did.</param>
/// <param name="Rtt">The round-trip time, or zero when unanswered.</param>
/// <param name="ObservedEndpoint">Our address as the peer saw it (default when unanswered).</param>
/// <param name="MessagesSent">PINGs sent (up to three when unanswered).</param>
/// <param name="Duration">From start to finish, in the engine's time.</param>
public readonly record struct PingCompletion(QueryId Query, NodeInfo? Peer, TimeSpan Rtt, NodeEndpoint ObservedEndpoint, int MessagesSent, TimeSpan Duration)
{
    /// <summary>Whether the peer answered.</summary>
    public bool Succeeded => Peer is not null;

    /// <summary>Why the peer did not answer (<see cref="OperationFailure.Timeout"/>, or <see cref="OperationFailure.WrongNetwork"/>); None when it did.</summary>
    public OperationFailure Failure { get; init; }

    /// <summary>The same outcome as the <see cref="PingResult"/> a <see cref="QueryFinished"/> event would carry.</summary>
    public PingResult ToResult() => new(Peer, Rtt, ObservedEndpoint)
    {
        Succeeded = Succeeded,
        Failure = Failure,
        MessagesSent = MessagesSent,
        Duration = Duration,
    };
}
