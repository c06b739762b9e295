using System.Diagnostics;

namespace Kademlia.Cli.Tests;

/// <summary>Runs <c>dotnet kad.dll ...</c> to completion, bounded by a guard.</summary>
internal static class Kad
{
    /// <summary>A guard against a hung process, never an assertion about speed.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(90);

    public static Task<KadRun> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    /// <summary>Runs kad with <paramref name="input"/> on its standard input (then closed), or none.</summary>
    public static async Task<KadRun> RunWithInputAsync(byte[]? input, params string[] args)
    {
        using var process = Start(args);
        if (input is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(input);
        }

        return await WaitAsync(process, Guard, $"kad {string.Join(' ', args)}");
    }

    /// <summary>
    /// Closes the standard input of a started process, collects its output and waits for it to exit
    /// within <paramref name="guard"/> (a guard against a hang, killed then, never an assertion about speed).
    /// </summary>
    public static async Task<KadRun> WaitAsync(Process process, TimeSpan guard, string what)
    {
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(guard);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{what} did not exit within {guard}.\n{await stdout}\n{await stderr}");
        }

        return new KadRun(process.ExitCode, await stdout, await stderr);
    }

    public static Process Start(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(KadExecutable.Path);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Keep the children quiet and cheap: no telemetry, no first-run work, plain output.
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["NO_COLOR"] = "1";
        info.Environment["DOTNET_TieredPGO"] = "0";
        return Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
    }
}

/// <summary>How a <c>kad</c> run ended.</summary>
internal sealed record KadRun(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The stderr lines, for the "one clear line" checks.</summary>
    public string[] ErrorLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}
