using System.Globalization;
using Kademlia.Identity;
using NSec.Cryptography;

namespace Kademlia.Mainline;

/// <summary>
/// A BEP 44 mutable item: a value signed with its publisher's Ed25519 key, versioned by a sequence number,
/// and stored under <c>SHA-1(public key ‖ salt)</c> so one key can publish many items.
/// </summary>
/// <remarks>
/// The signature covers the bencoded <c>salt</c> (only when non-empty), <c>seq</c> and <c>v</c> entries in that
/// order, written out as BEP 44 "Signature Verification" prescribes (see <see cref="GetSignedBytes"/>), not a
/// re-encoded dictionary: a parser bug cannot shift a length into the sequence number.
/// Construction checks only shapes; whether the signature holds is <see cref="Verify"/>, and whether the
/// sizes are acceptable is <see cref="MainlineItemRules"/>, so that a hostile message can be parsed into an
/// item and then refused with the right error code.
/// </remarks>
public sealed class MutableItem : MainlineItem
{
    /// <summary>The length of an Ed25519 signature.</summary>
    public const int SignatureSize = 64;

    private readonly byte[] _signature;

    /// <summary>An item as received or stored, signature unchecked.</summary>
    /// <exception cref="ArgumentException"><paramref name="signature"/> is not 64 bytes.</exception>
    public MutableItem(NodePublicKey publicKey, BencodeString salt, long sequence, BencodeValue value, ReadOnlySpan<byte> signature)
        : base(value)
    {
        ArgumentNullException.ThrowIfNull(salt);
        if (signature.Length != SignatureSize)
        {
            throw new ArgumentException($"An Ed25519 signature is {SignatureSize} bytes, not {signature.Length}.", nameof(signature));
        }

        PublicKey = publicKey;
        Salt = salt;
        Sequence = sequence;
        _signature = signature.ToArray();
        Target = ComputeTarget(publicKey, salt.Span);
    }

    /// <summary>The publisher's Ed25519 public key <c>k</c>.</summary>
    public NodePublicKey PublicKey { get; }

    /// <summary>The salt; empty when the item has none (BEP 44 treats an empty salt as absent).</summary>
    public BencodeString Salt { get; }

    /// <summary>The sequence number <c>seq</c>; a store only ever moves to a higher one.</summary>
    public long Sequence { get; }

    /// <summary>The 64-byte signature <c>sig</c>.</summary>
    public ReadOnlySpan<byte> Signature => _signature;

    /// <summary><c>SHA-1(k ‖ salt)</c>.</summary>
    public override MainlineId Target { get; }

    /// <summary>The target of the item <paramref name="publicKey"/> publishes under <paramref name="salt"/>.</summary>
    public static MainlineId ComputeTarget(NodePublicKey publicKey, ReadOnlySpan<byte> salt)
    {
        Span<byte> input = stackalloc byte[NodePublicKey.Size + salt.Length];
        publicKey.Span.CopyTo(input);
        salt.CopyTo(input[NodePublicKey.Size..]);
        return MainlineId.Sha1(input);
    }

    /// <summary>
    /// The bytes BEP 44 signs: <c>4:salt&lt;len&gt;:&lt;salt&gt;</c> when the salt is non-empty, then
    /// <c>3:seqi&lt;seq&gt;e1:v</c> and the encoded value.
    /// </summary>
    public static byte[] GetSignedBytes(ReadOnlySpan<byte> salt, long sequence, ReadOnlySpan<byte> encodedValue)
    {
        var saltPart = salt.IsEmpty ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"4:salt{salt.Length}:");
        var sequencePart = string.Create(CultureInfo.InvariantCulture, $"3:seqi{sequence}e1:v");
        var bytes = new byte[saltPart.Length + salt.Length + sequencePart.Length + encodedValue.Length];
        var at = System.Text.Encoding.ASCII.GetBytes(saltPart, bytes);
        salt.CopyTo(bytes.AsSpan(at));
        at += salt.Length;
        at += System.Text.Encoding.ASCII.GetBytes(sequencePart, bytes.AsSpan(at));
        encodedValue.CopyTo(bytes.AsSpan(at));
        return bytes;
    }

    /// <summary>Signs <paramref name="value"/> at <paramref name="sequence"/> under <paramref name="salt"/> with <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not an Ed25519 key.</exception>
    public static MutableItem Sign(Key key, BencodeString salt, long sequence, BencodeValue value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(salt);
        ArgumentNullException.ThrowIfNull(value);
        if (key.Algorithm is not Ed25519)
        {
            throw new ArgumentException("BEP 44 items are signed with Ed25519.", nameof(key));
        }

        var signed = GetSignedBytes(salt.Span, sequence, BencodeWriter.Encode(value));
        var signature = SignatureAlgorithm.Ed25519.Sign(key, signed);
        var publicKey = new NodePublicKey(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        return new MutableItem(publicKey, salt, sequence, value, signature);
    }

    /// <summary>Whether <see cref="Signature"/> is the publisher's signature of salt, sequence and value.</summary>
    public bool Verify() => PublicKey.Verify(GetSignedBytes(Salt.Span, Sequence, EncodedValue.Span), _signature);

    /// <summary>Whether two items have the same key, salt, sequence, value and signature.</summary>
    public bool SameAs(MutableItem other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return PublicKey == other.PublicKey && Sequence == other.Sequence && Salt.Equals(other.Salt)
            && EncodedValue.Span.SequenceEqual(other.EncodedValue.Span) && Signature.SequenceEqual(other.Signature);
    }

    /// <inheritdoc />
    public override string ToString() => $"mutable {Target} seq {Sequence.ToString(CultureInfo.InvariantCulture)} ({EncodedValue.Length} bytes)";

}
