namespace Kademlia.Sqlite;

/// <summary>
/// A node's data directory, held exclusively for as long as this object lives, so that two daemons
/// never share one identity, one record database and one routing snapshot.
/// </summary>
/// <remarks>
/// The lock is the file <see cref="LockFileName"/> opened with <see cref="FileShare.None"/>: on Unix
/// an exclusive <c>flock</c>, on Windows a sharing mode. The operating system releases it when the
/// process dies, so a crash never leaves a stale lock behind; the file itself stays and holds the
/// process ID of the last holder, for people. The directory is created owner-only (0700) on Unix
/// because it holds the identity key.
/// </remarks>
public sealed class DataDirectory : IDisposable
{
    /// <summary>The name of the lock file inside the directory.</summary>
    public const string LockFileName = "lock";

    private readonly FileStream _lock;

    private DataDirectory(string path, FileStream lockFile)
    {
        Path = path;
        _lock = lockFile;
    }

    /// <summary>The directory's full path.</summary>
    public string Path { get; }

    /// <summary>Where the identity key file lives: <c>identity.key</c>.</summary>
    public string IdentityKeyPath => System.IO.Path.Combine(Path, "identity.key");

    /// <summary>Where the record database lives: <c>records.db</c>.</summary>
    public string RecordsPath => System.IO.Path.Combine(Path, "records.db");

    /// <summary>Where the routing snapshot lives: <c>routing.snapshot</c>.</summary>
    public string RoutingSnapshotPath => System.IO.Path.Combine(Path, "routing.snapshot");

    /// <summary>Where the list of records this node publishes lives: <c>published.list</c> (<see cref="PublishedList"/>).</summary>
    public string PublishedListPath => System.IO.Path.Combine(Path, "published.list");

    /// <summary>Creates the directory if needed and takes its lock.</summary>
    /// <exception cref="DataDirectoryLockedException">Another holder has the lock.</exception>
    /// <exception cref="DataFileException">
    /// The existing directory lets group or others write in it (<see cref="DataFileError.InsecurePermissions"/>,
    /// as the identity key file is refused when others can read it), or its lock is a directory
    /// (<see cref="DataFileError.NotAFile"/>); nothing is changed.
    /// </exception>
    public static DataDirectory Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = System.IO.Path.GetFullPath(path);
        if (!Directory.Exists(full))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(full);
            }
            else
            {
                Directory.CreateDirectory(full, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        else if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(full) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            // Whoever can write here can replace identity.key, records.db or the lock: refused, not fixed
            // behind the operator's back, as for the key file.
            throw new DataFileException(full, DataFileError.InsecurePermissions,
                "the data directory is writable by other users; make it owner-only (chmod 700).");
        }

        var lockPath = System.IO.Path.Combine(full, LockFileName);
        if (Directory.Exists(lockPath))
        {
            throw new DataFileException(lockPath, DataFileError.NotAFile, "the lock file is a directory.");
        }

        FileStream lockFile;
        try
        {
            lockFile = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException))
        {
            throw new DataDirectoryLockedException(full, e);
        }

        try
        {
            lockFile.SetLength(0);
            var pid = System.Text.Encoding.ASCII.GetBytes($"{Environment.ProcessId}\n");
            lockFile.Write(pid);
            lockFile.Flush();
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }

        return new DataDirectory(full, lockFile);
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _lock.Dispose();
}
