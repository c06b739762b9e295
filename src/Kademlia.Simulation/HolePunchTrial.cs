using Kademlia.Engine;

namespace Kademlia.Simulation;

/// <summary>One pair of players of a <see cref="HolePunchExperiment"/>: how they connected and how fast.</summary>
/// <param name="JoinerKind">The joiner's NAT kind (a name of <see cref="NatKinds.Names"/>).</param>
/// <param name="HostKind">The host's NAT kind.</param>
/// <param name="Seed">The seed of the pair's network.</param>
/// <param name="DirectInTheory">Whether theory lets a punch through this pair (<see cref="NatKinds.PunchableInTheory"/>).</param>
/// <param name="Via">The path <c>Connect</c> ended with.</param>
/// <param name="JoinerPath">The joiner's path to the host after the exchange.</param>
/// <param name="HostPath">The host's path to the joiner after the exchange.</param>
/// <param name="FirstMessage">From <c>Connect</c> to the host delivering the joiner's first app datagram; null when none arrived in time.</param>
/// <param name="Sent">App datagrams of the exchange, both ways.</param>
/// <param name="Delivered">How many of them arrived.</param>
public sealed record HolePunchTrial(
    string JoinerKind,
    string HostKind,
    int Seed,
    bool DirectInTheory,
    PeerPath Via,
    PeerPath JoinerPath,
    PeerPath HostPath,
    TimeSpan? FirstMessage,
    int Sent,
    int Delivered)
{
    /// <summary>Whether the pair ended as theory says, on both sides.</summary>
    public bool AsTheorySays
    {
        get
        {
            var expected = DirectInTheory ? PeerPath.Direct : PeerPath.Relayed;
            return Via == expected && JoinerPath == expected && HostPath == expected;
        }
    }
}
