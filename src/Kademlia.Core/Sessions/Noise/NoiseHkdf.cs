using System.Security.Cryptography;

namespace Kademlia.Sessions.Noise;

/// <summary>
/// The Noise <c>HKDF(chaining_key, input_key_material, num_outputs)</c> function (revision 34, section 4.3) over HMAC-SHA256.
/// </summary>
/// <remarks>
/// Written out instead of calling a library HKDF because Noise fixes the info to empty and needs the
/// second and third outputs as separate 32-byte values; this is exactly RFC 5869 extract-then-expand.
/// </remarks>
internal static class NoiseHkdf
{
    /// <summary>SHA-256 output size, Noise's HASHLEN.</summary>
    public const int HashLength = 32;

    /// <summary>Derives two outputs.</summary>
    public static void Derive(ReadOnlySpan<byte> chainingKey, ReadOnlySpan<byte> ikm, Span<byte> output1, Span<byte> output2)
    {
        Span<byte> temp = stackalloc byte[HashLength];
        Span<byte> input = stackalloc byte[HashLength + 1];
        HMACSHA256.HashData(chainingKey, ikm, temp);
        input[0] = 1;
        HMACSHA256.HashData(temp, input[..1], output1);
        output1[..HashLength].CopyTo(input);
        input[HashLength] = 2;
        HMACSHA256.HashData(temp, input, output2);
        CryptographicOperations.ZeroMemory(temp);
        CryptographicOperations.ZeroMemory(input);
    }

    /// <summary>Derives three outputs.</summary>
    public static void Derive(ReadOnlySpan<byte> chainingKey, ReadOnlySpan<byte> ikm, Span<byte> output1, Span<byte> output2, Span<byte> output3)
    {
        Span<byte> temp = stackalloc byte[HashLength];
        Span<byte> input = stackalloc byte[HashLength + 1];
        HMACSHA256.HashData(chainingKey, ikm, temp);
        input[0] = 1;
        HMACSHA256.HashData(temp, input[..1], output1);
        output1[..HashLength].CopyTo(input);
        input[HashLength] = 2;
        HMACSHA256.HashData(temp, input, output2);
        output2[..HashLength].CopyTo(input);
        input[HashLength] = 3;
        HMACSHA256.HashData(temp, input, output3);
        CryptographicOperations.ZeroMemory(temp);
        CryptographicOperations.ZeroMemory(input);
    }
}
