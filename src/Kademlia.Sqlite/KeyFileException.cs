namespace Kademlia.Sqlite;

/// <summary>Why an existing identity key file was not used.</summary>
public enum KeyFileError
{
    /// <summary>The file does not start with the key file magic: it is some other file.</summary>
    UnknownFormat,

    /// <summary>The file is a key file of a newer format version.</summary>
    UnsupportedVersion,

    /// <summary>The file is a key file but truncated, extended or with a checksum that does not match.</summary>
    Corrupt,

    /// <summary>The identity does not meet the network's proof-of-work (made for another network, or an easier one).</summary>
    InsufficientProofOfWork,

    /// <summary>Users other than the owner may read or write the file (as ssh, a private key open to others is refused).</summary>
    InsecurePermissions,

    /// <summary>The path is a directory, where the key file was expected.</summary>
    NotAFile,
}

/// <summary>
/// An identity key file exists but cannot be used. It is never overwritten or repaired: it holds a
/// private key, and replacing it would silently give the node a new identity.
/// </summary>
public sealed class KeyFileException : IOException
{
    /// <summary>Builds the exception.</summary>
    public KeyFileException(string path, KeyFileError reason, string message)
        : base($"{path}: {message}")
    {
        Path = path;
        Reason = reason;
    }

    /// <summary>The key file.</summary>
    public string Path { get; }

    /// <summary>Why it was not used.</summary>
    public KeyFileError Reason { get; }
}
