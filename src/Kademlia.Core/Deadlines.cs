namespace Kademlia;

/// <summary>Arithmetic on optional deadlines (null: none), shared by everything that reports when it next has work.</summary>
internal static class Deadlines
{
    /// <summary>The earlier of two deadlines; either one when the other is null; null when both are.</summary>
    public static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
