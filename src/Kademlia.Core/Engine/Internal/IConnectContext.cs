using Kademlia.Routing;

namespace Kademlia.Engine.Internal;

/// <summary>What a <see cref="ConnectQuery"/> asks of the engine beyond sending requests.</summary>
internal interface IConnectContext
{
    /// <summary>How our session with <paramref name="peer"/> carries packets now.</summary>
    PeerPath PathTo(NodeInfo peer, DateTimeOffset now);

    /// <summary>Starts punching towards <paramref name="peer"/> at the endpoint a rendezvous observed it at.</summary>
    void StartPunch(DateTimeOffset now, NodeInfo peer);

    /// <summary>Ends a punch towards <paramref name="peer"/> that did not open a session, giving up its initiation.</summary>
    void EndPunch(NodeInfo peer);

    /// <summary><paramref name="peer"/> as reached through <paramref name="relay"/>: at its made-up relay endpoint.</summary>
    NodeInfo Relayed(NodeInfo peer, NodeInfo relay);
}
