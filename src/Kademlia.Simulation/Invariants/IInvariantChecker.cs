namespace Kademlia.Simulation.Invariants;

/// <summary>One property every state of a simulated network must have. Checkers are small and separate, so a violation names its rule.</summary>
public interface IInvariantChecker
{
    /// <summary>The rule, in a few words.</summary>
    string Name { get; }

    /// <summary>Adds a line to <paramref name="violations"/> for every place the rule is broken.</summary>
    void Check(MessageLevelNetwork network, ICollection<string> violations);
}

/// <summary>An invariant failed; the message carries the seed that replays the run.</summary>
public sealed class SimulationInvariantException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SimulationInvariantException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public SimulationInvariantException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public SimulationInvariantException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The checkers that run at the end of every message-level run.</summary>
public static class InvariantCheckers
{
    /// <summary>All of them.</summary>
    public static IReadOnlyList<IInvariantChecker> All { get; } = [new TableBoundsChecker(), new RecordPlacementChecker(), new ClientModeChecker()];
}
