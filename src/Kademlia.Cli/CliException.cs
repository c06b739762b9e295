namespace Kademlia.Cli;

/// <summary>
/// A failure the user can act on: printed as one line on stderr (no stack trace) and turned into
/// <see cref="ExitCode"/>. Anything else that escapes a command is a bug and exits with
/// <see cref="ExitCodes.Internal"/>.
/// </summary>
internal sealed class CliException : Exception
{
    public CliException(int exitCode, string message, Exception? innerException = null)
        : base(message, innerException) => ExitCode = exitCode;

    public CliException()
    {
    }

    public CliException(string message)
        : base(message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The process exit code, from <see cref="ExitCodes"/>.</summary>
    public int ExitCode { get; } = ExitCodes.Internal;
}
