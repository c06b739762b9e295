using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace Kademlia.Cli.Tests;

/// <summary>
/// A <c>kad node</c> process on 127.0.0.1 (test network), read through the lines it prints on stdout.
/// Disposing kills it if it is still running, so a failing test never leaves a daemon behind.
/// </summary>
internal sealed class KadDaemon : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly Channel<string> _errorLines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private KadDaemon(Process process, string dataDirectory)
    {
        _process = process;
        DataDirectory = dataDirectory;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.Writer.TryComplete();
                return;
            }

            lock (_stdout)
            {
                _stdout.AppendLine(e.Data);
            }

            _lines.Writer.TryWrite(e.Data);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _errorLines.Writer.TryComplete();
                return;
            }

            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }

            _errorLines.Writer.TryWrite(e.Data);
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string DataDirectory { get; }

    public string Id { get; private set; } = "";

    public string Contact { get; private set; } = "";

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Errors
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts a daemon and waits until it has joined (its <c>ready:</c> line).</summary>
    public static async Task<KadDaemon> StartAsync(string dataDirectory, IEnumerable<string>? bootstrap = null, int port = 0, string logLevel = "Warning", string network = "test", IEnumerable<string>? options = null)
    {
        var daemon = await LaunchAsync(dataDirectory, bootstrap, port, logLevel, network, options);
        try
        {
            await daemon.WaitForLineAsync("ready: ");
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a daemon and waits for its identity lines only, not for it to join.</summary>
    public static async Task<KadDaemon> LaunchAsync(string dataDirectory, IEnumerable<string>? bootstrap = null, int port = 0, string logLevel = "Warning", string network = "test", IEnumerable<string>? options = null)
    {
        var args = new List<string> { "node", "--network", network, "--bind", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data-dir", dataDirectory, "--log-level", logLevel };
        args.AddRange(options ?? []);
        foreach (var seed in bootstrap ?? [])
        {
            args.Add("--bootstrap");
            args.Add(seed);
        }

        var daemon = new KadDaemon(Kad.Start(args), dataDirectory);
        try
        {
            daemon.Id = (await daemon.WaitForLineAsync("id: "))["id: ".Length..];
            daemon.Contact = (await daemon.WaitForLineAsync("contact: "))["contact: ".Length..];
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
    }

    /// <summary>The next stdout line starting with <paramref name="prefix"/>.</summary>
    public async Task<string> WaitForLineAsync(string prefix)
    {
        using var guard = new CancellationTokenSource(Kad.Guard);
        try
        {
            await foreach (var line in _lines.Reader.ReadAllAsync(guard.Token))
            {
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        throw new InvalidOperationException($"kad node never printed '{prefix}'.\nstdout:\n{Output}\nstderr:\n{Errors}");
    }

    /// <summary>The next stderr (log) line containing <paramref name="text"/>.</summary>
    public async Task<string> WaitForErrorLineAsync(string text)
    {
        using var guard = new CancellationTokenSource(Kad.Guard);
        try
        {
            await foreach (var line in _errorLines.Reader.ReadAllAsync(guard.Token))
            {
                if (line.Contains(text, StringComparison.Ordinal))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        throw new InvalidOperationException($"kad node never logged '{text}'.\nstdout:\n{Output}\nstderr:\n{Errors}");
    }

    /// <summary>SIGTERM, as a service manager stops it; returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var guard = new CancellationTokenSource(Kad.Guard);
        await _process.WaitForExitAsync(guard.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var guard = new CancellationTokenSource(Kad.Guard);
            await _process.WaitForExitAsync(guard.Token);
        }

        _process.Dispose();
    }
}
