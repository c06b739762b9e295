using System.Net;
using System.Text.Json;

namespace Kademlia.Cli.Control;

/// <summary>
/// <c>control.json</c> in the data directory: where the daemon's control endpoint listens and the
/// token that authenticates to it. Created owner-only (0600 on Unix) because the token is all a local
/// process needs to drive the node; written through a temporary file and a rename, so a client never
/// reads half of it. The daemon deletes it at a clean shutdown; after a crash it stays until the next
/// daemon (which holds the directory lock, so owns it) replaces it, and clients see "no daemon".
/// </summary>
internal static class ControlFile
{
    public const string FileName = "control.json";

    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, FileName);

    public static void Write(string dataDirectory, IPEndPoint endpoint, string token)
    {
        var path = PathIn(dataDirectory);
        var temporary = path + ".tmp";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, new Contents(endpoint.ToString(), token, Environment.ProcessId), ControlJson.Default.Contents);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The endpoint and token, or null when there is no file (no daemon has run, or it stopped cleanly).</summary>
    /// <exception cref="CliException">The file exists but cannot be read or parsed.</exception>
    public static Contents? TryRead(string dataDirectory)
    {
        var path = PathIn(dataDirectory);
        try
        {
            using var stream = File.OpenRead(path);
            var contents = JsonSerializer.Deserialize(stream, ControlJson.Default.Contents);
            if (contents is null || !IPEndPoint.TryParse(contents.Endpoint, out _) || string.IsNullOrEmpty(contents.Token))
            {
                throw new CliException(ExitCodes.NoDaemon, $"control file {path} is malformed; is a daemon running on {dataDirectory}?");
            }

            return contents;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CliException(ExitCodes.BadToken, $"cannot read control file {path}: {e.Message}", e);
        }
        catch (JsonException e)
        {
            throw new CliException(ExitCodes.NoDaemon, $"control file {path} is malformed; is a daemon running on {dataDirectory}?", e);
        }
    }

    public static void Delete(string dataDirectory) => File.Delete(PathIn(dataDirectory));

    /// <summary>The file's JSON.</summary>
    /// <param name="Endpoint">127.0.0.1:port of the control endpoint.</param>
    /// <param name="Token">64 hex digits (32 random bytes).</param>
    /// <param name="Pid">The daemon's process ID, for people.</param>
    internal sealed record Contents(string Endpoint, string Token, int Pid);
}
