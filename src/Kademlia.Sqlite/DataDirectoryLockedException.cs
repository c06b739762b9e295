namespace Kademlia.Sqlite;

/// <summary>Another process (or another <see cref="DataDirectory"/> in this one) holds the data directory.</summary>
public sealed class DataDirectoryLockedException : IOException
{
    /// <summary>Builds the exception.</summary>
    public DataDirectoryLockedException(string path, Exception? innerException = null)
        : base($"The data directory {path} is in use by another node (its lock file is held).", innerException)
    {
        Path = path;
    }

    /// <summary>The data directory.</summary>
    public string Path { get; }
}
