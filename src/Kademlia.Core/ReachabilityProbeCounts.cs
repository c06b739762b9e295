namespace Kademlia;

/// <summary>
/// What a node's reachability probes came to since it started: how many it sent, how the helpers answered
/// and what became of the dials they arranged. Lets an operator see why a node is still
/// <see cref="NodeReachability.Unknown"/> (helpers refusing, dials arriving only from peers it already
/// talked to) rather than guess.
/// </summary>
public sealed record ReachabilityProbeCounts
{
    /// <summary>PROBEs sent to helpers.</summary>
    public long Sent { get; init; }

    /// <summary>PROBEs a helper forwarded to a dialer.</summary>
    public long Forwarded { get; init; }

    /// <summary>PROBEs a helper answered without forwarding (rate limited, no candidate dialer).</summary>
    public long Refused { get; init; }

    /// <summary>PROBEs that got no answer in time.</summary>
    public long Unanswered { get; init; }

    /// <summary>Dials from an address this node never sent to: each made it <see cref="NodeReachability.Public"/>.</summary>
    public long DialsFromStrangers { get; init; }

    /// <summary>Dials from an address this node had sent to (or from the helper's prefix): inconclusive.</summary>
    public long DialsFromKnown { get; init; }

    /// <summary>Forwarded probes whose dial never arrived: evidence of <see cref="NodeReachability.Private"/>.</summary>
    public long DialsMissed { get; init; }
}
