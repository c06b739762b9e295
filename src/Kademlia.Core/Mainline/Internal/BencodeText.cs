using System.Text;

namespace Kademlia.Mainline.Internal;

/// <summary>Renders encoded bencode for diagnostics: printable ASCII as is, other bytes as <c>\xNN</c>.</summary>
internal static class BencodeText
{
    public static string Describe(ReadOnlySpan<byte> encoded)
    {
        var text = new StringBuilder(encoded.Length);
        foreach (var b in encoded)
        {
            if (b is >= 0x20 and < 0x7F and not (byte)'\\')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{b:x2}");
            }
        }

        return text.ToString();
    }
}
