using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Kademlia.Sessions;

/// <summary>
/// The responder's stateless address proof (WireGuard section 5.4.7): under load, a handshake without a valid
/// mac2 is answered only with a cookie, an HMAC of the source address under a secret that changes every two
/// minutes; a real initiator at that address retries with mac2 keyed by the cookie.
/// </summary>
/// <remarks>
/// The secret of each period is derived from one random master secret and the period number, so rotation
/// needs no timer and no stored history: the previous period's cookie is still accepted, which avoids failing
/// a retry that straddles a rotation.
/// </remarks>
internal sealed class CookieChecker : IDisposable
{
    private readonly byte[] _master = new byte[32];
    private readonly IRandomSource _random;
    private readonly byte[] _ownCookieKey = new byte[Sodium.KeySize];

    /// <summary>Creates a checker for the responder whose X25519 static public key is given.</summary>
    public CookieChecker(IRandomSource random, ReadOnlySpan<byte> staticPublicKey)
    {
        _random = random;
        random.Fill(_master);
        Mac.DeriveKey("cookie", staticPublicKey, _ownCookieKey);
    }

    /// <summary>Checks mac2 against the cookie for <paramref name="source"/> in the current or previous period.</summary>
    public bool IsValidMac2(DateTimeOffset now, EndPoint source, ReadOnlySpan<byte> macedBytes, ReadOnlySpan<byte> mac2)
    {
        Span<byte> cookie = stackalloc byte[Mac.Size];
        long period = Period(now);
        for (long p = period; p >= period - 1; p--)
        {
            ComputeCookie(p, source, cookie);
            if (Mac.Verify(cookie, macedBytes, mac2))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Writes a cookie reply. <paramref name="cookieKeyMaterial"/> is the responder's static key for IK (null: use
    /// the cached key) or the initiator's ephemeral for XX; <paramref name="binding"/> is the associated data.
    /// </summary>
    public int WriteCookieReply(
        DateTimeOffset now, EndPoint source, uint networkId, uint receiverIndex,
        ReadOnlySpan<byte> cookieKeyMaterial, ReadOnlySpan<byte> binding, Span<byte> destination)
    {
        PacketFormat.WriteHeader(destination, PacketType.CookieReply, networkId);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[PacketFormat.HeaderSize..], receiverIndex);
        var nonce = destination.Slice(PacketFormat.HeaderSize + PacketFormat.IndexSize, PacketFormat.CookieNonceSize);
        _random.Fill(nonce);
        Span<byte> cookie = stackalloc byte[Mac.Size];
        ComputeCookie(Period(now), source, cookie);
        var sealedCookie = destination.Slice(PacketFormat.HeaderSize + PacketFormat.IndexSize + PacketFormat.CookieNonceSize, Mac.Size + PacketFormat.TagSize);
        if (cookieKeyMaterial.IsEmpty)
        {
            Sodium.XEncrypt(_ownCookieKey, nonce, binding, cookie, sealedCookie);
        }
        else
        {
            Span<byte> key = stackalloc byte[Sodium.KeySize];
            Mac.DeriveKey("cookie", cookieKeyMaterial, key);
            Sodium.XEncrypt(key, nonce, binding, cookie, sealedCookie);
        }

        return PacketFormat.CookieReplySize;
    }

    /// <summary>The initiator's side: decrypts the cookie of a reply; false if it does not authenticate.</summary>
    public static bool TryOpenCookieReply(ReadOnlySpan<byte> packet, ReadOnlySpan<byte> cookieKeyMaterial, ReadOnlySpan<byte> binding, Span<byte> cookie)
    {
        if (packet.Length != PacketFormat.CookieReplySize)
        {
            return false;
        }

        var nonce = packet.Slice(PacketFormat.HeaderSize + PacketFormat.IndexSize, PacketFormat.CookieNonceSize);
        var sealedCookie = packet[(PacketFormat.HeaderSize + PacketFormat.IndexSize + PacketFormat.CookieNonceSize)..];
        Span<byte> key = stackalloc byte[Sodium.KeySize];
        Mac.DeriveKey("cookie", cookieKeyMaterial, key);
        return Sodium.TryXDecrypt(key, nonce, binding, sealedCookie, cookie[..Mac.Size]);
    }

    /// <inheritdoc />
    public void Dispose() => CryptographicOperations.ZeroMemory(_master);

    private static long Period(DateTimeOffset now) => now.UtcTicks / SessionTimers.CookieSecretLifetime.Ticks;

    private void ComputeCookie(long period, EndPoint source, Span<byte> cookie)
    {
        Span<byte> secret = stackalloc byte[32];
        Span<byte> periodBytes = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64BigEndian(periodBytes, period);
        HMACSHA256.HashData(_master, periodBytes, secret);

        Span<byte> address = stackalloc byte[128];
        int length = WriteAddress(source, address);
        Mac.Compute(secret, address[..length], cookie);
    }

    private static int WriteAddress(EndPoint source, Span<byte> destination)
    {
        if (source is IPEndPoint ip && ip.Address.TryWriteBytes(destination, out int written))
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[written..], (ushort)ip.Port);
            return written + 2;
        }

        // Non-IP endpoints (tests, simulators) are identified by their text form.
        var text = source.ToString() ?? string.Empty;
        return Encoding.UTF8.GetBytes(text.AsSpan(0, Math.Min(text.Length, destination.Length / 4)), destination);
    }
}
