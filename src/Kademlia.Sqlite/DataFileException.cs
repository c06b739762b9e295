namespace Kademlia.Sqlite;

/// <summary>Why a data file (the record database, the routing snapshot, the lock) or the data directory itself could not be used.</summary>
public enum DataFileError
{
    /// <summary>The file is not one of ours: another program's database, or not a database at all.</summary>
    UnknownFormat,

    /// <summary>The file is ours but written by a newer version of the format.</summary>
    UnsupportedVersion,

    /// <summary>The file is ours but damaged: truncated, or its checksum does not match.</summary>
    Corrupt,

    /// <summary>The file belongs to another network (another network ID).</summary>
    OtherNetwork,

    /// <summary>The path is a directory (or another non-file), where a regular file was expected.</summary>
    NotAFile,

    /// <summary>The data directory lets group or others write in it (so they could swap its files); make it owner-only.</summary>
    InsecurePermissions,
}

/// <summary>
/// A data file exists but cannot be used. The file is left exactly as it was: the operator decides
/// whether to move it aside, since it may be the only copy of something.
/// </summary>
public sealed class DataFileException : IOException
{
    /// <summary>Builds the exception.</summary>
    public DataFileException(string path, DataFileError reason, string message, Exception? innerException = null)
        : base($"{path}: {message}", innerException)
    {
        Path = path;
        Reason = reason;
    }

    /// <summary>The file that could not be used.</summary>
    public string Path { get; }

    /// <summary>Why.</summary>
    public DataFileError Reason { get; }
}
