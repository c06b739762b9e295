using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Net.Sockets;
using Kademlia.Sqlite;

namespace Kademlia.Cli;

/// <summary>
/// Runs the root command the way every <c>kad</c> command fails: one line on stderr and a distinct
/// exit code (<see cref="ExitCodes"/>), a stack trace only with <c>--verbose</c>. Parse errors exit
/// with <see cref="ExitCodes.Usage"/> instead of System.CommandLine's 1, which <c>kad</c> keeps for
/// "not found".
/// </summary>
internal static class KadInvocation
{
    /// <summary><c>--verbose</c>, on every command: stack traces for unexpected errors.</summary>
    public static readonly Option<bool> Verbose = new("--verbose") { Description = "Show stack traces of unexpected errors.", Recursive = true };

    /// <summary>How long a command may take to wind down after Ctrl-C or SIGTERM (the daemon saves its state then).</summary>
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(15);

    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        root.Options.Add(Verbose);
        AddExitCodeEpilog(root);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is ParseErrorAction)
        {
            // "Required command was not provided" hides the more useful "Unrecognized command 'x'".
            var error = parse.Errors.Count > 1 && parse.Errors[0].SymbolResult is CommandResult { Command: RootCommand } ? parse.Errors[^1] : parse.Errors[0];
            var nearest = parse.UnmatchedTokens.FirstOrDefault() is { } unknown && NearestCommand.Suggest(parse.CommandResult.Command, unknown) is { } name
                ? $" Did you mean '{name}'?"
                : "";
            await Console.Error.WriteLineAsync($"kad: {error.Message}{nearest} (see 'kad {CommandPath(parse.CommandResult.Command)} --help')".Replace("kad  --help", "kad --help", StringComparison.Ordinal)).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = ShutdownGrace };
        try
        {
            return await parse.InvokeAsync(configuration).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var (code, message) = Describe(e);
            await Console.Error.WriteLineAsync($"kad: {message}").ConfigureAwait(false);
            if (parse.GetValue(Verbose) && code == ExitCodes.Internal)
            {
                await Console.Error.WriteLineAsync(e.ToString()).ConfigureAwait(false);
            }

            return code;
        }
    }

    /// <summary>The exit code and the one line for an exception that escaped a command.</summary>
    public static (int Code, string Message) Describe(Exception e) => e switch
    {
        CliException cli => (cli.ExitCode, cli.Message),
        DataDirectoryLockedException locked => (ExitCodes.DataDirectoryLocked, $"data directory {locked.Path} is in use by another process (a running 'kad node'?)"),
        KeyFileException key => (ExitCodes.DataFileUnusable, $"identity key file {key.Path} not used ({key.Reason}): {key.Message} It was left untouched."),
        DataFileException { Reason: DataFileError.InsecurePermissions } open
            => (ExitCodes.DataFileUnusable, $"data directory {open.Path} not used ({open.Reason}): {open.Message} It was left untouched."),
        DataFileException data => (ExitCodes.DataFileUnusable, $"data file {data.Path} not used ({data.Reason}): {data.Message} It was left untouched."),
        SocketException socket when socket.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AddressNotAvailable or SocketError.AccessDenied
            => (ExitCodes.BindFailed, $"cannot bind the UDP socket: {socket.Message}"),
        OperationCanceledException => (ExitCodes.Interrupted, "interrupted."),
        UnauthorizedAccessException denied => (ExitCodes.FileSystem, $"permission denied: {FileSystemMessage(denied)}"),
        IOException io when FileSystemProblem(io) is { } problem => (ExitCodes.FileSystem, problem),
        _ => (ExitCodes.Internal, $"unexpected error: {e.GetType().Name}: {e.Message}"),
    };

    /// <summary>errno values .NET puts in an <see cref="IOException"/>'s HResult on Linux and macOS.</summary>
    private const int NotADirectory = 20, IsADirectory = 21, ReadOnlyFileSystem = 30, NoSpace = 28, FileExists = 17, AccessDenied = 13;

    /// <summary>A plain line for a file-system refusal, or null for an I/O error that is not one (a socket, a pipe).</summary>
    private static string? FileSystemProblem(IOException e) => e switch
    {
        DirectoryNotFoundException => $"no such directory: {FileSystemMessage(e)}",
        FileNotFoundException => $"no such file: {FileSystemMessage(e)}",
        _ => e.HResult switch
        {
            ReadOnlyFileSystem => $"read-only file system: {FileSystemMessage(e)}",
            NotADirectory => $"a path component is a file, not a directory: {FileSystemMessage(e)}",
            IsADirectory => $"is a directory, not a file: {FileSystemMessage(e)}",
            FileExists => $"a file is in the way (a directory belongs there): {FileSystemMessage(e)}",
            NoSpace => $"no space left on the device: {FileSystemMessage(e)}",
            AccessDenied => $"permission denied: {FileSystemMessage(e)}",
            _ => null,
        },
    };

    /// <summary>The runtime's message without its trailing period, which names the path.</summary>
    private static string FileSystemMessage(Exception e) => e.Message.TrimEnd('.');

    private static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (var c = command; c is not null and not RootCommand; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Insert(0, c.Name);
        }

        return string.Join(' ', names);
    }

    private static void AddExitCodeEpilog(RootCommand root)
    {
        if (root.Options.OfType<HelpOption>().FirstOrDefault() is { Action: HelpAction help } option)
        {
            option.Action = new HelpWithExitCodes(help);
        }
    }

    /// <summary>The standard help, then, for <c>kad --help</c> only, the exit-code table (HelpBuilder is not public in 2.0).</summary>
    private sealed class HelpWithExitCodes(HelpAction standard) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var code = standard.Invoke(parseResult);
            if (parseResult.CommandResult.Command is RootCommand)
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine("Exit codes:");
                foreach (var (exitCode, meaning) in ExitCodes.Table)
                {
                    output.WriteLine($"  {exitCode,3}  {meaning}");
                }

                output.WriteLine();
            }

            return code;
        }
    }
}
