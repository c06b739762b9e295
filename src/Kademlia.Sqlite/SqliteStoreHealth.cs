namespace Kademlia.Sqlite;

/// <summary>Whether a <see cref="SqliteRecordStore"/> can write, and what its faults have cost.</summary>
/// <param name="Fault">Why the last write to the database failed (SQLite's message), or null while it takes writes.</param>
/// <param name="RefusedWrites">Records refused with <c>StoreError.StoreFull</c> since the store opened.</param>
/// <param name="FailedWrites">Attempts to write to the database that failed (each retried a second later).</param>
/// <param name="PendingWrites">Changes accepted and not yet in the database.</param>
public readonly record struct SqliteStoreHealth(string? Fault, long RefusedWrites, long FailedWrites, int PendingWrites)
{
    /// <summary>Whether the database takes writes.</summary>
    public bool IsWritable => Fault is null;
}
