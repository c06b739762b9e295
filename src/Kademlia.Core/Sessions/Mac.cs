using System.Security.Cryptography;
using System.Text;

namespace Kademlia.Sessions;

/// <summary>
/// The 16-byte MACs of handshake packets (mac1, mac2, cookies): HMAC-SHA256 truncated to 128 bits, where
/// WireGuard uses keyed BLAKE2s. HMAC needs no key object, so verifying costs no allocation.
/// </summary>
internal static class Mac
{
    /// <summary>MAC size.</summary>
    public const int Size = PacketFormat.MacSize;

    /// <summary>Derives a 32-byte key as SHA-256(label || key), e.g. the mac1 key of a static public key.</summary>
    public static void DeriveKey(string label, ReadOnlySpan<byte> key, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[64];
        int labelLength = Encoding.ASCII.GetBytes(label, input);
        key.CopyTo(input[labelLength..]);
        SHA256.HashData(input[..(labelLength + key.Length)], destination);
    }

    /// <summary>Writes mac(key, data) into the first 16 bytes of <paramref name="destination"/>.</summary>
    public static void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        Span<byte> full = stackalloc byte[32];
        HMACSHA256.HashData(key, data, full);
        full[..Size].CopyTo(destination);
    }

    /// <summary>Checks mac(key, data) against <paramref name="mac"/> in constant time.</summary>
    public static bool Verify(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> mac)
    {
        Span<byte> expected = stackalloc byte[Size];
        Compute(key, data, expected);
        return CryptographicOperations.FixedTimeEquals(expected, mac);
    }
}
