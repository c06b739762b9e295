using Kademlia.Engine;

namespace Kademlia.Simulation.Tests;

/// <summary>Runs one operation of one node to its end in virtual time, for the engine-network tests.</summary>
internal static class Runs
{
    /// <summary>How much virtual time an operation may take before the test fails.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    /// <summary>Starts <paramref name="operation"/> on <paramref name="node"/> and returns its result, of type <typeparamref name="T"/>.</summary>
    public static T Run<T>(EngineNetwork network, SimulatedEngine node, Func<KademliaEngine, DateTimeOffset, QueryId> operation)
        where T : QueryResult
    {
        var query = network.Start(node, operation);
        return Assert.IsType<T>(network.RunUntilFinished(node, query, Limit));
    }
}
