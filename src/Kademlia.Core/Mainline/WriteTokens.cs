using System.Net;
using System.Security.Cryptography;
using Kademlia.Sessions;

namespace Kademlia.Mainline;

/// <summary>
/// Issues and checks the write tokens of <c>get_peers</c>/<c>announce_peer</c> and BEP 44 <c>get</c>/<c>put</c>,
/// the way BEP 5 describes BitTorrent's: the SHA-1 of the asker's IP address and a secret that changes every
/// five minutes, tokens made with the current or the previous secret accepted (so a token lives 5 to 10 minutes).
/// </summary>
/// <remarks>
/// <para>
/// A token proves the announcer received our answer at that IP address, so nobody can sign up another
/// host's address for a torrent. It binds only the address, not the port (NATs rewrite ports between a
/// node's queries) and not the target (BEP 5 does not; BEP 44 allows either).
/// </para>
/// <para>
/// Sans-io: time comes in as <c>now</c> on every call and randomness from the source given. The secret
/// rotates lazily when a call finds the rotation due, or when the owner calls <see cref="HandleTimeout"/> at
/// <see cref="NextRotation"/>. After a silence of two intervals or more both secrets are replaced, so a
/// token never outlives twice the interval however the calls are spaced.
/// </para>
/// </remarks>
public sealed class WriteTokens
{
    /// <summary>How often the secret changes: five minutes, as in BEP 5.</summary>
    public static readonly TimeSpan RotationInterval = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The token length in bytes: the first 8 bytes of the SHA-1. BEP 5 asks for "a short binary string";
    /// 64 bits make guessing a token for an address hopeless within its ten-minute life.
    /// </summary>
    public const int TokenSize = 8;

    private const int SecretSize = 20;

    private readonly IRandomSource _random;
    private readonly byte[] _current = new byte[SecretSize];
    private readonly byte[] _previous = new byte[SecretSize];

    /// <summary>Tokens with secrets from the operating system's CSPRNG, the first made at <paramref name="now"/>.</summary>
    public WriteTokens(DateTimeOffset now)
        : this(CryptoRandomSource.Instance, now)
    {
    }

    internal WriteTokens(IRandomSource random, DateTimeOffset now)
    {
        _random = random;
        _random.Fill(_current);
        _random.Fill(_previous);
        NextRotation = now + RotationInterval;
    }

    /// <summary>When the secret next changes; a sans-io owner calls <see cref="HandleTimeout"/> then.</summary>
    public DateTimeOffset NextRotation { get; private set; }

    /// <summary>The token to hand the node at <paramref name="address"/> in a <c>get_peers</c> or <c>get</c> response.</summary>
    public BencodeString Issue(DateTimeOffset now, IPAddress address)
    {
        HandleTimeout(now);
        Span<byte> token = stackalloc byte[TokenSize];
        Compute(_current, address, token);
        return new BencodeString(token);
    }

    /// <summary>Whether <paramref name="token"/> is one we issued to <paramref name="address"/> with the current or the previous secret.</summary>
    public bool Validate(DateTimeOffset now, IPAddress address, ReadOnlySpan<byte> token)
    {
        HandleTimeout(now);
        if (token.Length != TokenSize)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[TokenSize];
        Compute(_current, address, expected);
        var current = CryptographicOperations.FixedTimeEquals(expected, token);
        Compute(_previous, address, expected);
        return current | CryptographicOperations.FixedTimeEquals(expected, token);
    }

    /// <summary>Rotates the secret if <see cref="NextRotation"/> has come.</summary>
    public void HandleTimeout(DateTimeOffset now)
    {
        if (now < NextRotation)
        {
            return;
        }

        if (now >= NextRotation + RotationInterval)
        {
            // Two or more rotations were missed: a token made with either secret is at least one full
            // interval past its life, so neither secret may remain.
            _random.Fill(_previous);
            _random.Fill(_current);
            NextRotation = now + RotationInterval;
            return;
        }

        _current.CopyTo(_previous, 0);
        _random.Fill(_current);
        NextRotation += RotationInterval;
    }

    private static void Compute(ReadOnlySpan<byte> secret, IPAddress address, Span<byte> token)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> input = stackalloc byte[16 + SecretSize];
        address.TryWriteBytes(input, out var length);
        secret.CopyTo(input[length..]);
        Span<byte> digest = stackalloc byte[20];
        SHA1.HashData(input[..(length + SecretSize)], digest);
        digest[..TokenSize].CopyTo(token);
    }
}
