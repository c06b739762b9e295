using Kademlia.Engine;
using Kademlia.Identity;

namespace Kademlia.Simulation;

/// <summary>
/// Two players behind NATs among public nodes in the engine emulator: both have run long enough to find
/// themselves private, turn client and keep sessions with their closest contacts, so the host has
/// rendezvous points the joiner can <see cref="Connect"/> through (docs/EVALUATION.md, "Player to player
/// across NATs"; <c>HolePunchTests</c>).
/// </summary>
public sealed class PlayerPair : IDisposable
{
    /// <summary>Public nodes besides the players, unless told otherwise.</summary>
    public const int DefaultServers = 12;

    /// <summary>The network's median round-trip time.</summary>
    public static readonly TimeSpan MedianRtt = TimeSpan.FromMilliseconds(40);

    /// <summary>How long the players run before they play: long enough to find themselves private and turn client.</summary>
    public static readonly TimeSpan Warmup = TimeSpan.FromMinutes(6);

    /// <summary>How much virtual time one operation may take.</summary>
    public static readonly TimeSpan OperationLimit = TimeSpan.FromMinutes(2);

    private PlayerPair(EngineNetwork network, SimulatedEngine joiner, SimulatedEngine host)
    {
        Network = network;
        Joiner = joiner;
        Host = host;
    }

    /// <summary>The emulated network (public nodes first, then the joiner and the host).</summary>
    public EngineNetwork Network { get; }

    /// <summary>The player who connects.</summary>
    public SimulatedEngine Joiner { get; }

    /// <summary>The player connected to, through its rendezvous points.</summary>
    public SimulatedEngine Host { get; }

    /// <summary>
    /// Builds <paramref name="servers"/> public nodes bootstrapped from the first, then the joiner and the
    /// host behind NATs of the given kinds, and runs the network for <see cref="Warmup"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">A bootstrap failed, or a player did not turn client.</exception>
    public static PlayerPair Create(int seed, NatBehavior joinerNat, NatBehavior hostNat, int servers = DefaultServers, EngineOptions? serverOptions = null)
    {
        var network = new EngineNetwork(seed, NetworkParameters.Test, MedianRtt) { DistinctPublicAddresses = true };
        try
        {
            var first = network.AddNode(serverOptions);
            for (var i = 1; i < servers; i++)
            {
                Bootstrap(network, network.AddNode(serverOptions), first);
            }

            var joiner = network.AddNode(nat: joinerNat);
            var host = network.AddNode(nat: hostNat);
            Bootstrap(network, joiner, first);
            Bootstrap(network, host, first);
            network.RunFor(Warmup);
            if (!joiner.Engine.IsClient || !host.Engine.IsClient)
            {
                throw new InvalidOperationException($"The players did not turn client (seed {seed}).");
            }

            return new PlayerPair(network, joiner, host);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>The network, the joiner and the host.</summary>
    public void Deconstruct(out EngineNetwork network, out SimulatedEngine joiner, out SimulatedEngine host) =>
        (network, joiner, host) = (Network, Joiner, Host);

    /// <summary>Runs <paramref name="operation"/> on <paramref name="node"/> to its end and returns its result.</summary>
    /// <exception cref="InvalidOperationException">It did not end within <see cref="OperationLimit"/>, or ended with another result type.</exception>
    public static T Run<T>(EngineNetwork network, SimulatedEngine node, Func<KademliaEngine, DateTimeOffset, QueryId> operation)
        where T : QueryResult
    {
        ArgumentNullException.ThrowIfNull(network);
        var query = network.Start(node, operation);
        return network.RunUntilFinished(node, query, OperationLimit) switch
        {
            T result => result,
            null => throw new InvalidOperationException($"The operation did not finish within {OperationLimit} (seed {network.Seed})."),
            var other => throw new InvalidOperationException($"Expected a {typeof(T).Name}, got {other} (seed {network.Seed})."),
        };
    }

    /// <summary>The joiner connects to the host through the host's current rendezvous points.</summary>
    public ConnectResult Connect() =>
        Run<ConnectResult>(Network, Joiner, (e, now) => e.Connect(now, Host.Info, Host.Engine.RendezvousPoints(now)));

    /// <summary>
    /// Sends <paramref name="count"/> app datagrams each way on <paramref name="channel"/>, 50 ms apart, and
    /// returns how many of them the other side delivered (the network loses nothing, so every one must arrive).
    /// </summary>
    public int Exchange(string channel, int count)
    {
        Joiner.Engine.OpenAppChannel(channel);
        Host.Engine.OpenAppChannel(channel);
        var before = Delivered(Joiner, channel) + Delivered(Host, channel);
        for (var i = 0; i < count; i++)
        {
            var sequence = (byte)i;
            Network.Start(Joiner, (e, now) => { e.SendAppDatagram(now, Host.Info, channel, [sequence, 1]); return default; });
            Network.Start(Host, (e, now) => { e.SendAppDatagram(now, Joiner.Info, channel, [sequence, 2]); return default; });
            Network.RunFor(TimeSpan.FromMilliseconds(50));
        }

        Network.RunFor(TimeSpan.FromSeconds(2));
        return Delivered(Joiner, channel) + Delivered(Host, channel) - before;
    }

    /// <summary>How many app datagrams on <paramref name="channel"/> <paramref name="node"/> has delivered.</summary>
    public static int Delivered(SimulatedEngine node, string channel)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.Events.OfType<AppMessageReceived>().Count(m => m.Channel == channel);
    }

    /// <inheritdoc/>
    public void Dispose() => Network.Dispose();

    private static void Bootstrap(EngineNetwork network, SimulatedEngine node, SimulatedEngine first)
    {
        if (!Run<BootstrapResult>(network, node, (e, now) => e.Bootstrap(now, [first.Info])).Succeeded)
        {
            throw new InvalidOperationException($"Node {node.Index} did not bootstrap (seed {network.Seed}).");
        }
    }
}
