using Kademlia.Identity;
using NSec.Cryptography;

namespace Kademlia.Records;

/// <summary>
/// An Ed25519 key that signs mutable records, and nothing else: unlike a <see cref="NodeIdentity"/> it
/// needs no proof-of-work (a record's key is SHA-256(public key ‖ salt), and nodes check its signature,
/// not the puzzles), so an application makes one at once, keeps one per user or per document, and
/// publishes through any node. Dispose to erase the private key.
/// </summary>
/// <example>
/// <code>
/// using var key = RecordSigningKey.Generate();
/// var record = MutableRecord.Create(key, "profile"u8, sequence: 1, "hello"u8);
/// await node.PutAsync(record, cancellationToken: token);
/// </code>
/// </example>
public sealed class RecordSigningKey : IDisposable
{
    /// <summary>Bytes of a private seed (<see cref="ExportPrivateSeed"/>, <see cref="FromPrivateSeed"/>).</summary>
    public const int PrivateSeedSize = 32;

    private static readonly SignatureAlgorithm Ed25519 = SignatureAlgorithm.Ed25519;

    private readonly Key _key;

    private RecordSigningKey(Key key)
    {
        _key = key;
        PublicKey = new NodePublicKey(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    /// <summary>The public half: readers find the signer's records under <see cref="MutableRecord.KeyOf"/> of it.</summary>
    public NodePublicKey PublicKey { get; }

    /// <summary>A new random key (no puzzle to solve: this returns at once).</summary>
    public static RecordSigningKey Generate() =>
        new(Key.Create(Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));

    /// <summary>The key whose 32-byte Ed25519 private seed is <paramref name="seed"/> (what <see cref="ExportPrivateSeed"/> wrote).</summary>
    /// <exception cref="ArgumentException">The seed is not 32 bytes.</exception>
    public static RecordSigningKey FromPrivateSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != PrivateSeedSize)
        {
            throw new ArgumentException($"An Ed25519 private seed is {PrivateSeedSize} bytes, not {seed.Length}.", nameof(seed));
        }

        return new(Key.Import(Ed25519, seed, KeyBlobFormat.RawPrivateKey,
            new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));
    }

    /// <summary>The 32-byte private seed, to keep the key across runs. Keep it secret.</summary>
    public byte[] ExportPrivateSeed() => _key.Export(KeyBlobFormat.RawPrivateKey);

    /// <summary>The key of this signer's records under <paramref name="salt"/>.</summary>
    /// <exception cref="ArgumentException">The salt is longer than <see cref="RecordLimits.MaxSaltSize"/>.</exception>
    public NodeId RecordKey(ReadOnlySpan<byte> salt) => MutableRecord.KeyOf(PublicKey, salt);

    /// <summary>Signs <paramref name="data"/> into <paramref name="signature"/> (64 bytes).</summary>
    internal void Sign(ReadOnlySpan<byte> data, Span<byte> signature) => Ed25519.Sign(_key, data, signature);

    /// <inheritdoc/>
    public void Dispose() => _key.Dispose();
}
