using System.Buffers.Binary;
using NSec.Cryptography;

namespace Kademlia.Identity;

/// <summary>
/// A node's long-term identity: an Ed25519 key pair, the ID derived from its public key and the
/// dynamic proof-of-work nonce that makes the ID acceptable to a network.
/// </summary>
/// <remarks>
/// The ID is SHA-256 of the public key, so it cannot be chosen without grinding keys, and another
/// node's ID cannot be claimed without its private key. Dispose to erase the private key.
/// </remarks>
public sealed class NodeIdentity : IDisposable
{
    /// <summary>Bytes of an exported identity: version, 32-byte private seed, 8-byte PoW nonce.</summary>
    public const int ExportSize = 1 + PrivateSeedSize + sizeof(ulong);

    private const int PrivateSeedSize = 32;
    private const byte ExportVersion = 1;

    private static readonly SignatureAlgorithm Ed25519 = SignatureAlgorithm.Ed25519;

    private readonly Key _key;
    private readonly byte[] _publicKey;

    private NodeIdentity(Key key, ulong powNonce)
    {
        _key = key;
        _publicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        Id = NodeId.FromPublicKey(_publicKey);
        PowNonce = powNonce;
    }

    /// <summary>The node ID: SHA-256 of <see cref="PublicKey"/>.</summary>
    public NodeId Id { get; }

    /// <summary>The 32-byte Ed25519 public key.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>The nonce solving the dynamic puzzle for <see cref="Id"/>.</summary>
    public ulong PowNonce { get; }

    /// <summary>The public half, as other nodes see it.</summary>
    public NodePublicKey PublicIdentity => new(_publicKey);

    /// <summary>The NSec key, for signing and for deriving the X25519 session key.</summary>
    internal Key Key => _key;

    /// <summary>
    /// Creates a new identity meeting both puzzles of <paramref name="network"/>: generates key pairs
    /// until the static puzzle holds, then searches the dynamic nonce.
    /// </summary>
    /// <param name="network">Gives the difficulties.</param>
    /// <param name="progress">Told how the search goes (key pairs tried, then hashes tried).</param>
    /// <param name="cancellationToken">Stops the search.</param>
    /// <exception cref="OperationCanceledException">The search was cancelled.</exception>
    public static NodeIdentity Generate(
        NetworkParameters network,
        IProgress<ProofOfWorkProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        var creation = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        long keysTried = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var key = Key.Create(Ed25519, creation);
            keysTried++;
            var id = NodeId.FromPublicKey(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
            if (!ProofOfWork.MeetsStatic(id, network))
            {
                key.Dispose();
                if ((keysTried & 0xFF) == 0)
                {
                    progress?.Report(new ProofOfWorkProgress(ProofOfWorkStage.StaticPuzzle, keysTried));
                }

                continue;
            }

            progress?.Report(new ProofOfWorkProgress(ProofOfWorkStage.StaticPuzzle, keysTried));
            try
            {
                var hashes = progress is null ? null : new SynchronousProgress(progress);
                var nonce = ProofOfWork.SolveDynamic(id, network.DynamicDifficulty, hashes, 0, cancellationToken);
                return new NodeIdentity(key, nonce);
            }
            catch
            {
                key.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// Rebuilds an identity from a 32-byte Ed25519 private seed and its nonce. The nonce is not
    /// checked here; use <see cref="MeetsProofOfWork"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The seed is not 32 bytes.</exception>
    public static NodeIdentity FromPrivateSeed(ReadOnlySpan<byte> seed, ulong powNonce)
    {
        if (seed.Length != PrivateSeedSize)
        {
            throw new ArgumentException($"An Ed25519 private seed is {PrivateSeedSize} bytes.", nameof(seed));
        }

        var key = Key.Import(Ed25519, seed, KeyBlobFormat.RawPrivateKey,
            new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        return new NodeIdentity(key, powNonce);
    }

    /// <summary>Whether this identity meets both puzzles of <paramref name="network"/>.</summary>
    public bool MeetsProofOfWork(NetworkParameters network) => ProofOfWork.Verify(Id, PowNonce, network);

    /// <summary>
    /// Exports the identity as <see cref="ExportSize"/> bytes: a version byte, the private seed and the
    /// nonce (big-endian). Keep it secret: it is the node's private key.
    /// </summary>
    public byte[] Export()
    {
        var blob = new byte[ExportSize];
        blob[0] = ExportVersion;
        var seed = _key.Export(KeyBlobFormat.RawPrivateKey);
        try
        {
            seed.CopyTo(blob.AsSpan(1));
        }
        finally
        {
            Array.Clear(seed);
        }

        BinaryPrimitives.WriteUInt64BigEndian(blob.AsSpan(1 + PrivateSeedSize), PowNonce);
        return blob;
    }

    /// <summary>Reads what <see cref="Export"/> wrote; false for a blob of another size or version.</summary>
    public static bool TryImport(ReadOnlySpan<byte> blob, out NodeIdentity? identity)
    {
        identity = null;
        if (blob.Length != ExportSize || blob[0] != ExportVersion)
        {
            return false;
        }

        identity = FromPrivateSeed(blob.Slice(1, PrivateSeedSize), BinaryPrimitives.ReadUInt64BigEndian(blob[(1 + PrivateSeedSize)..]));
        return true;
    }

    /// <summary>Signs <paramref name="data"/> with the identity key (64-byte Ed25519 signature).</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) => Ed25519.Sign(_key, data);

    /// <summary>Signs <paramref name="data"/> into <paramref name="signature"/> (64 bytes).</summary>
    public void Sign(ReadOnlySpan<byte> data, Span<byte> signature) => Ed25519.Sign(_key, data, signature);

    /// <inheritdoc/>
    public void Dispose() => _key.Dispose();

    /// <inheritdoc/>
    public override string ToString() => Id.ToString();

    /// <summary>Forwards progress on the calling thread (Progress&lt;T&gt; would post to a context).</summary>
    private sealed class SynchronousProgress(IProgress<ProofOfWorkProgress> inner) : IProgress<long>
    {
        public void Report(long value) => inner.Report(new ProofOfWorkProgress(ProofOfWorkStage.DynamicPuzzle, value));
    }
}
