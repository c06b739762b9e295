using System.Diagnostics;
using System.Text;

namespace Kademlia.Cli.Tests.Packaging;

/// <summary>
/// Runs the <c>dotnet</c> CLI (or a program it installed) as a new user's shell would: no MSBuild
/// settings inherited from the <c>dotnet test</c> that runs us, no build servers left behind to hold
/// the temp directory, and a guard against a hung process.
/// </summary>
internal static class DotnetCli
{
    /// <summary>A guard against a hung step, never an assertion about speed.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromMinutes(6);

    public static Task<KadRun> RunAsync(string workingDirectory, params string[] args) =>
        RunProgramAsync("dotnet", workingDirectory, args);

    public static async Task<KadRun> RunProgramAsync(string program, string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // `dotnet test` runs us with MSBuild's own variables set; a nested build must find its SDK afresh.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["UseSharedCompilation"] = "false";
        info.Environment["NO_COLOR"] = "1";

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        return await Kad.WaitAsync(process, Guard, Describe(program, args));
    }

    /// <summary>The command line, for failure messages.</summary>
    public static string Describe(string program, IEnumerable<string> args)
    {
        var line = new StringBuilder(program);
        foreach (var arg in args)
        {
            line.Append(' ').Append(arg.Contains(' ', StringComparison.Ordinal) ? $"\"{arg}\"" : arg);
        }

        return line.ToString();
    }
}
