using System.Text;

namespace Kademlia.Cli.Commands;

/// <summary>
/// Where <c>kad put</c> takes its bytes from: the text argument (UTF-8), standard input (<c>-</c>) or
/// <c>--file</c>. Too large a value, a missing or unreadable file is a usage error with a plain line.
/// </summary>
internal static class ValueSource
{
    public const string StandardInput = "-";

    public static byte[] Read(string? argument, string? file, int maxSize)
    {
        // A file or standard input is read to one byte past the limit: its size is then "more than" the limit.
        var (bytes, what) = file is not null ? (ReadFile(file, maxSize), $"--file {file}")
            : argument == StandardInput ? (ReadBounded(Console.OpenStandardInput(), maxSize), "standard input")
            : (Encoding.UTF8.GetBytes(argument ?? ""), null);
        if (bytes.Length <= maxSize)
        {
            return bytes;
        }

        throw new CliException(ExitCodes.Usage, what is null
            ? $"the value is {bytes.Length} bytes; at most {maxSize} are allowed."
            : $"{what} holds more than {maxSize} bytes; at most {maxSize} are allowed.");
    }

    private static byte[] ReadFile(string path, int maxSize)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return ReadBounded(stream, maxSize);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CliException(ExitCodes.Usage, $"--file {path}: no such file.", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CliException(ExitCodes.Usage, $"--file {path}: {(Directory.Exists(path) ? "is a directory" : "permission denied")}.", e);
        }
        catch (IOException e)
        {
            throw new CliException(ExitCodes.Usage, $"--file {path}: cannot be read ({e.Message}).", e);
        }
    }

    /// <summary>Reads at most one byte past <paramref name="maxSize"/>: enough to tell it is too large without reading a huge input.</summary>
    private static byte[] ReadBounded(Stream stream, int maxSize)
    {
        var buffer = new byte[maxSize + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
        }

        return buffer[..length];
    }
}
