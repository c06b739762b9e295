using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Kademlia.Cli.Tests;

/// <summary>Runs one of the network-namespace scripts of tests/netns and collects what it printed.</summary>
internal static class NetnsScript
{
    /// <summary>
    /// Runs <paramref name="script"/> with bash under its own limit (<c>KAD_NETNS_TIMEOUT</c>: it runs itself
    /// under <c>timeout</c> and cleans up on exit) and waits a minute longer at most, then kills it.
    /// </summary>
    /// <returns>Its exit code and its stdout and stderr, interleaved as they came.</returns>
    public static async Task<(int ExitCode, string Output)> RunAsync(string script, TimeSpan limit, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList = { script },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.Environment["KAD_NETNS_TIMEOUT"] = limit.TotalSeconds.ToString(CultureInfo.InvariantCulture);

        var lines = new StringBuilder();
        using var process = new Process { StartInfo = start };
        void Collect(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (lines)
            {
                lines.AppendLine(e.Data);
            }
        }

        process.OutputDataReceived += Collect;
        process.ErrorDataReceived += Collect;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // A guard only: the script bounds itself (timeout, then KILL 20 s later) and cleans up on exit.
        using var guard = new CancellationTokenSource(limit + TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }

        process.WaitForExit(); // flushes the redirected output
        lock (lines)
        {
            return (process.ExitCode, lines.ToString());
        }
    }
}
