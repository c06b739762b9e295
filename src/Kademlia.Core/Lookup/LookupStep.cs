using Kademlia.Routing;

namespace Kademlia.Lookup;

/// <summary>What a lookup asks of its driver when polled.</summary>
public enum LookupStepKind
{
    /// <summary>Send the query to <see cref="LookupStep.Peer"/> and report its answer or failure.</summary>
    Send,

    /// <summary>Nothing to send now: wait for an answer or until <see cref="LookupStep.WakeAt"/>.</summary>
    Waiting,

    /// <summary>The lookup is over; read its result.</summary>
    Finished,
}

/// <summary>One step of a pull-driven lookup.</summary>
/// <param name="Kind">What to do.</param>
/// <param name="Peer">For <see cref="LookupStepKind.Send"/>: whom to query.</param>
/// <param name="WakeAt">For <see cref="LookupStepKind.Waiting"/>: the earliest deadline among queries in flight.</param>
public readonly record struct LookupStep(LookupStepKind Kind, NodeInfo Peer = default, DateTimeOffset? WakeAt = null)
{
    internal static LookupStep Finished => new(LookupStepKind.Finished);
}
