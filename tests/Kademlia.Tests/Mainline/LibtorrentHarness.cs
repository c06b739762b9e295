using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Kademlia.Tests.Mainline;

/// <summary>
/// libtorrent DHT sessions on loopback in a child <c>/usr/bin/python3 libtorrent_dht.py</c>: one JSON command
/// per line in, one JSON answer per line out. The harness prints a ready line (with the sessions' ports)
/// before it takes commands, so no command races the sessions' start.
/// </summary>
internal sealed class LibtorrentHarness : IAsyncDisposable
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<string?> Missing = new(FindWhyNot);
    private readonly Process _process;
    private readonly Channel<JsonElement> _lines = Channel.CreateUnbounded<JsonElement>();
    private readonly StringBuilder _stderr = new();
    private readonly SemaphoreSlim _oneAtATime = new(1);
    private int _nextId;

    private LibtorrentHarness(Process process) => _process = process;

    /// <summary>The sessions' DHT ports on 127.0.0.1.</summary>
    public IReadOnlyList<int> Ports { get; private set; } = [];

    /// <summary>libtorrent's version as the binding reports it.</summary>
    public string Version { get; private set; } = "";

    /// <summary>Why libtorrent cannot be driven here, or null when it can.</summary>
    public static string? WhyNot() => Missing.Value;

    public static async Task<LibtorrentHarness> StartAsync(int sessions, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Mainline", "libtorrent_dht.py"));
        info.ArgumentList.Add(sessions.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var process = Process.Start(info) ?? throw new InvalidOperationException("python3 did not start");
        var harness = new LibtorrentHarness(process);
        _ = Task.Run(harness.ReadStdoutAsync, CancellationToken.None);
        _ = Task.Run(harness.ReadStderrAsync, CancellationToken.None);
        var ready = await harness.ReadAsync(cancellationToken);
        if (!ready.TryGetProperty("ready", out _))
        {
            throw new InvalidOperationException($"libtorrent harness did not get ready: {ready}");
        }

        harness.Ports = [.. ready.GetProperty("ports").EnumerateArray().Select(p => p.GetInt32())];
        harness.Version = ready.GetProperty("version").GetString() ?? "";
        return harness;
    }

    /// <summary>Sends one command to session <paramref name="session"/> and returns its answer.</summary>
    public async Task<JsonElement> SendAsync(string command, int session, JsonObject? arguments, CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            var id = ++_nextId;
            var message = arguments ?? [];
            message["cmd"] = command;
            message["session"] = session;
            message["id"] = id;
            await _process.StandardInput.WriteLineAsync(message.ToJsonString());
            await _process.StandardInput.FlushAsync(cancellationToken);
            while (true)
            {
                var answer = await ReadAsync(cancellationToken);
                if (answer.TryGetProperty("id", out var answered) && answered.ValueKind == JsonValueKind.Number && answered.GetInt32() == id)
                {
                    if (answer.TryGetProperty("error", out var error))
                    {
                        throw new InvalidOperationException($"libtorrent harness, {command}: {error.GetString()}");
                    }

                    return answer;
                }
            }
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _process.StandardInput.WriteLineAsync("{\"cmd\":\"quit\"}");
            _process.StandardInput.Close();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(grace.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        _oneAtATime.Dispose();
    }

    private async Task<JsonElement> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _lines.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"libtorrent harness exited: {_stderr}");
        }
    }

    private async Task ReadStdoutAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith('{'))
            {
                using var document = JsonDocument.Parse(line);
                await _lines.Writer.WriteAsync(document.RootElement.Clone());
            }
        }

        _lines.Writer.TryComplete();
    }

    private async Task ReadStderrAsync()
    {
        while (await _process.StandardError.ReadLineAsync() is { } line)
        {
            lock (_stderr) _stderr.AppendLine(line);
        }
    }

    private static string? FindWhyNot()
    {
        if (!File.Exists(Python))
        {
            return $"libtorrent interop: {Python} is missing (apt-get install python3-libtorrent python3-cryptography; .ci/run does).";
        }

        try
        {
            using var probe = Process.Start(new ProcessStartInfo(Python, ["-c", "import libtorrent, cryptography.hazmat.primitives.asymmetric.ed25519"])
            {
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            var error = probe.StandardError.ReadToEnd();
            if (!probe.WaitForExit(30_000))
            {
                probe.Kill();
                return "libtorrent interop: importing libtorrent took over 30 s.";
            }

            return probe.ExitCode == 0
                ? null
                : $"libtorrent interop: {Python} cannot import libtorrent and cryptography (apt-get install python3-libtorrent python3-cryptography; .ci/run does): {error.Trim().Split('\n').LastOrDefault()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"libtorrent interop: {Python} does not run ({e.Message}).";
        }
    }
}

/// <summary>A fact that runs where libtorrent's Python binding is installed, and is reported skipped, saying why, elsewhere.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LibtorrentFactAttribute : FactAttribute
{
    public LibtorrentFactAttribute()
    {
        if (LibtorrentHarness.WhyNot() is { } reason)
        {
            Skip = reason;
        }
    }
}
