namespace Kademlia.Wire;

/// <summary>
/// Application channel names: the short protocol name (<c>lobby/1</c>, <c>chat</c>) that lets several
/// applications share one node, as discv5's TALKREQ names its protocol. One to
/// <see cref="MaxLength"/> bytes of printable ASCII (0x21 to 0x7E: no spaces, no control bytes), compared
/// byte for byte, so that a name has exactly one encoding and can be logged as it is.
/// </summary>
public static class AppChannel
{
    /// <summary>Longest channel name, in bytes: 32, room for a name and a version (<c>casino.poker/2</c>).</summary>
    public const int MaxLength = 32;

    /// <summary>Whether <paramref name="name"/> is a valid channel name.</summary>
    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Throws unless <paramref name="name"/> is a valid channel name.</summary>
    /// <exception cref="ArgumentException">The name is empty, too long or not printable ASCII.</exception>
    public static void Validate(string? name, string parameterName)
    {
        if (!IsValid(name))
        {
            throw new ArgumentException(
                $"A channel name is 1 to {MaxLength} printable ASCII characters (no spaces), not '{name}'.", parameterName);
        }
    }
}
