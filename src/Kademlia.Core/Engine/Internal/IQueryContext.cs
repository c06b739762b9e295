using System.Collections.Immutable;
using Kademlia.Identity;
using Kademlia.Lookup;
using Kademlia.Routing;
using Kademlia.Wire;

namespace Kademlia.Engine.Internal;

/// <summary>What a query may ask of the engine running it.</summary>
internal interface IQueryContext
{
    NodeId Self { get; }

    NodeIdentity Identity { get; }

    RoutingTable Routing { get; }

    EngineOptions Options { get; }

    LookupOptions LookupOptions { get; }

    ulong NewRequestId();

    /// <summary>The peer's own timeout estimate from its routing-table contact, or null.</summary>
    TimeSpan? MeasuredTimeout(NodeInfo peer);

    /// <summary>Contacts from an answer that pass proof-of-work and are reachable; counts the rest.</summary>
    NodeInfo[] ValidContacts(ImmutableArray<WireContact> contacts, out int invalid);

    /// <summary>Lowers the reputation of a peer whose answer failed validation.</summary>
    void ReportInvalidAnswer(NodeId peer, DateTimeOffset now);

    void Emit(EngineEvent engineEvent);
}
