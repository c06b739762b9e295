using Kademlia.Identity;
using Kademlia.Records;

namespace Kademlia.Engine.Internal;

/// <summary>What a periodic job asks the engine to start.</summary>
internal enum PublishJobKind
{
    /// <summary>Store one of our own values again on the k closest (and here).</summary>
    Republish,

    /// <summary>Announce one of our topics again.</summary>
    Reannounce,

    /// <summary>Store a value we hold for others on the current k closest, with its remaining lifetime.</summary>
    Replicate,

    /// <summary>Join again from the seeds: the routing table is (nearly) empty.</summary>
    Rebootstrap,
}

/// <summary>One piece of periodic work, due now.</summary>
/// <param name="Kind">What to start.</param>
/// <param name="Key">The record key or topic.</param>
/// <param name="Record">The value, for <see cref="PublishJobKind.Republish"/> and <see cref="PublishJobKind.Replicate"/>.</param>
/// <param name="ApplicationData">The announcement's data, for <see cref="PublishJobKind.Reannounce"/>.</param>
/// <param name="Ttl">The lifetime to ask stores for.</param>
internal readonly record struct PublishJob(PublishJobKind Kind, NodeId Key, ValueRecord? Record, byte[]? ApplicationData, TimeSpan Ttl);
