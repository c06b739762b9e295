using System.Collections.Concurrent;

namespace Kademlia.Dashboard.Internal;

/// <summary>The page's files, embedded in this assembly under <c>wwwroot/</c>: no files on disk, works offline.</summary>
internal static class Assets
{
    private static readonly ConcurrentDictionary<string, byte[]?> Cache = new(StringComparer.Ordinal);

    /// <summary>The bytes of <paramref name="name"/> (a file name, no folders), or null when there is no such asset.</summary>
    public static byte[]? Read(string name) => Cache.GetOrAdd(name, static n =>
    {
        if (n.Length == 0 || n.Contains('/', StringComparison.Ordinal) || n.Contains('\\', StringComparison.Ordinal) || n.StartsWith('.'))
        {
            return null;
        }

        using var stream = typeof(Assets).Assembly.GetManifestResourceStream("wwwroot/" + n);
        if (stream is null)
        {
            return null;
        }

        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        _ => "application/octet-stream",
    };
}
