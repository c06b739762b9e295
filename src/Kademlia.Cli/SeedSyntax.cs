namespace Kademlia.Cli;

/// <summary>
/// What is wrong with a peer string (<c>--bootstrap</c>, <c>kad ping</c>), said once for every
/// command: a string with an <c>@</c> is a contact whose key part must parse, never a host name to
/// resolve (which would end in a misleading "cannot resolve host").
/// </summary>
internal static class SeedSyntax
{
    /// <summary>Null when <paramref name="text"/> is a contact string or host:port; else the one-line reason.</summary>
    public static string? Problem(string? text)
    {
        if (ContactString.TryParse(text, out _, out _))
        {
            return null;
        }

        text ??= "";
        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            return ContactString.TryParseHost(text[(at + 1)..], out _, out _) && !text[(at + 1)..].Contains('@', StringComparison.Ordinal)
                ? $"bad contact key in '{text}': expected <64 hex digits of the public key>.<proof-of-work nonce in hex> before the '@', as 'kad node' prints it."
                : $"bad address in '{text}': expected host:port after the '@'.";
        }

        return ContactString.TryParseHost(text, out _, out _)
            ? null
            : $"'{text}' is neither a contact string (key.nonce@host:port) nor host:port.";
    }
}
