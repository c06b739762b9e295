namespace Kademlia.Cli;

/// <summary>
/// The exit codes of <c>kad</c>, one per kind of failure so that scripts can tell them apart.
/// The table is printed by <c>kad --help</c> and in README.md; keep the three in step.
/// </summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>
    /// The command ran but the network said no: value or providers not found, no node stored the
    /// record, compare-and-swap refused, the peer did not answer. Like grep's 1: not an error of use.
    /// </summary>
    public const int NotFound = 1;

    /// <summary>Bad arguments; the same code System.CommandLine and most Unix tools use.</summary>
    public const int Usage = 2;

    /// <summary>
    /// A one-shot command's bootstrap did not answer, or its host name does not resolve. The daemon
    /// (<c>kad node</c>) never exits with it: it waits for its seeds and retries with backoff.
    /// </summary>
    public const int BootstrapUnreachable = 3;

    /// <summary>The data directory does not exist (or holds no identity where one is needed).</summary>
    public const int DataDirectoryMissing = 4;

    /// <summary>Another process holds the data directory.</summary>
    public const int DataDirectoryLocked = 5;

    /// <summary>No daemon answers on the data directory's control endpoint.</summary>
    public const int NoDaemon = 6;

    /// <summary>The daemon refused the control token.</summary>
    public const int BadToken = 7;

    /// <summary>
    /// A data file (identity key, record database, published list, lock) is damaged, foreign, too open or a
    /// directory, or the data directory itself is writable by group or others; it is left untouched.
    /// </summary>
    public const int DataFileUnusable = 8;

    /// <summary>The UDP port (or address), or the port of <c>--dashboard</c> or <c>--metrics</c>, cannot be bound.</summary>
    public const int BindFailed = 9;

    /// <summary>The operation did not finish within <c>--timeout</c>.</summary>
    public const int Timeout = 10;

    /// <summary>announce: the node knows no address others can reach it at yet (no <c>--advertise</c>, no agreed address).</summary>
    public const int NoReachableAddress = 11;

    /// <summary>
    /// The file system refused: permission denied, a path that is a file where a directory belongs (or the
    /// other way round), a read-only file system, a full disk. The message names the path.
    /// </summary>
    public const int FileSystem = 12;

    /// <summary>The data directory belongs to another network than <c>--network</c> (its <c>network</c> file says which).</summary>
    public const int NetworkMismatch = 13;

    /// <summary>A bug or an unexpected condition; <c>--verbose</c> shows the stack trace.</summary>
    public const int Internal = 70;

    /// <summary>Interrupted (Ctrl-C) before the command finished; 128 + SIGINT, as shells report it.</summary>
    public const int Interrupted = 130;

    /// <summary>The table for <c>kad --help</c>.</summary>
    public static readonly (int Code, string Meaning)[] Table =
    [
        (Success, "success"),
        (NotFound, "not found / refused by the network (no value, no providers, no store or stored locally only, CAS mismatch, no answer)"),
        (Usage, "bad arguments"),
        (BootstrapUnreachable, "one-shot: no bootstrap node answered (or its host name does not resolve); kad node retries instead"),
        (DataDirectoryMissing, "data directory (or the identity in it) missing"),
        (DataDirectoryLocked, "data directory locked by another process"),
        (NoDaemon, "no daemon running on the data directory"),
        (BadToken, "control token refused by the daemon"),
        (DataFileUnusable, "a data file is damaged, foreign, not a file or readable by others, or the data directory is writable by others (left untouched)"),
        (BindFailed, "the UDP port (or the --dashboard or --metrics port) cannot be bound"),
        (Timeout, "the operation did not finish within --timeout"),
        (NoReachableAddress, "announce: no address others can reach this node at yet (--advertise, or wait)"),
        (FileSystem, "the file system refused (permission denied, a file where a directory belongs, read-only, full)"),
        (NetworkMismatch, "the data directory belongs to another --network (its 'network' file)"),
        (Internal, "unexpected error (details with --verbose)"),
        (Interrupted, "interrupted (Ctrl-C)"),
    ];
}
