using System.Buffers.Binary;
using Kademlia.Identity;

namespace Kademlia.Records;

/// <summary>
/// A value its publisher can replace: signed with the publisher's Ed25519 key and stored under
/// SHA-256(publisher key ‖ salt), so one key pair can publish many records (one per salt). The highest
/// valid <see cref="Sequence"/> wins. As BEP 44 mutable items, with SHA-256 and our own signed bytes.
/// </summary>
/// <remarks>
/// <para>The signature covers exactly these bytes (see <c>docs/PROTOCOL.md</c>, "Records"):</para>
/// <code>
/// "kademlia-mutable-record-v1" (26 ASCII bytes)
/// salt length (1 byte) ‖ salt
/// sequence (8 bytes, big-endian)
/// value length (2 bytes, big-endian) ‖ value
/// </code>
/// <para>
/// The domain string keeps a signature made for anything else (a provider record, a future message)
/// from verifying as a mutable record; the length prefixes keep salt and value from trading bytes.
/// The public key is not in the signed bytes because Ed25519 already binds the signature to it.
/// </para>
/// </remarks>
public sealed class MutableRecord : ValueRecord, IEquatable<MutableRecord>
{
    private static ReadOnlySpan<byte> Domain => "kademlia-mutable-record-v1"u8;

    private readonly byte[] _salt;
    private readonly byte[] _signature;

    private MutableRecord(NodePublicKey publisher, byte[] salt, ulong sequence, byte[] value, byte[] signature)
        : base(KeyOf(publisher, salt), value)
    {
        Publisher = publisher;
        _salt = salt;
        Sequence = sequence;
        _signature = signature;
    }

    /// <summary>
    /// A record from its parts as received or stored (a copy of each). The signature is not checked
    /// here; call <see cref="ValueRecord.Verify"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A part is longer than <see cref="RecordLimits"/> allow, or the signature is not 64 bytes.</exception>
    public MutableRecord(NodePublicKey publisher, ReadOnlySpan<byte> salt, ulong sequence, ReadOnlySpan<byte> value, ReadOnlySpan<byte> signature)
        : this(publisher, CheckSalt(salt).ToArray(), sequence, CheckValueSpan(value).ToArray(), CheckSignature(signature).ToArray())
    {
    }

    /// <inheritdoc/>
    public override RecordKind Kind => RecordKind.Mutable;

    /// <summary>The publisher's Ed25519 public key.</summary>
    public NodePublicKey Publisher { get; }

    /// <summary>Distinguishes the records of one publisher; at most <see cref="RecordLimits.MaxSaltSize"/> bytes.</summary>
    public ReadOnlyMemory<byte> Salt => _salt;

    /// <summary>The version: a store keeps the highest sequence it has seen for the key.</summary>
    public ulong Sequence { get; }

    /// <summary>The 64-byte Ed25519 signature of the signed bytes.</summary>
    public ReadOnlyMemory<byte> Signature => _signature;

    /// <summary>Signs a new record with <paramref name="publisher"/>'s key.</summary>
    /// <exception cref="ArgumentException">The salt or value is longer than <see cref="RecordLimits"/> allow.</exception>
    public static MutableRecord Create(NodeIdentity publisher, ReadOnlySpan<byte> salt, ulong sequence, ReadOnlySpan<byte> value)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        return Create(publisher.PublicIdentity, publisher.Sign, salt, sequence, value);
    }

    /// <summary>
    /// Signs a new record with <paramref name="signer"/>, a key made for records that needs no
    /// proof-of-work (the record's key is <see cref="RecordSigningKey.RecordKey"/> of <paramref name="salt"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The salt or value is longer than <see cref="RecordLimits"/> allow.</exception>
    public static MutableRecord Create(RecordSigningKey signer, ReadOnlySpan<byte> salt, ulong sequence, ReadOnlySpan<byte> value)
    {
        ArgumentNullException.ThrowIfNull(signer);
        return Create(signer.PublicKey, signer.Sign, salt, sequence, value);
    }

    private static MutableRecord Create(NodePublicKey publisher, SignAction sign, ReadOnlySpan<byte> salt, ulong sequence, ReadOnlySpan<byte> value)
    {
        CheckSalt(salt);
        CheckValue(value);
        Span<byte> signed = stackalloc byte[SignedByteCount(salt.Length, value.Length)];
        WriteSignedBytes(signed, salt, sequence, value);
        var signature = new byte[RecordLimits.SignatureSize];
        sign(signed, signature);
        return new MutableRecord(publisher, salt.ToArray(), sequence, value.ToArray(), signature);
    }

    private delegate void SignAction(ReadOnlySpan<byte> data, Span<byte> signature);

    /// <summary>Takes ownership of parts the decoder has already bounded.</summary>
    internal static MutableRecord FromOwned(NodePublicKey publisher, byte[] salt, ulong sequence, byte[] value, byte[] signature) =>
        new(publisher, salt, sequence, value, signature);

    /// <summary>The key of the records of <paramref name="publisher"/> with <paramref name="salt"/>: SHA-256(key ‖ salt).</summary>
    /// <exception cref="ArgumentException">The salt is longer than <see cref="RecordLimits.MaxSaltSize"/>.</exception>
    public static NodeId KeyOf(NodePublicKey publisher, ReadOnlySpan<byte> salt)
    {
        CheckSalt(salt);
        Span<byte> input = stackalloc byte[NodePublicKey.Size + salt.Length];
        publisher.Span.CopyTo(input);
        salt.CopyTo(input[NodePublicKey.Size..]);
        return NodeId.Hash(input);
    }

    /// <summary>The bytes the publisher signs, as laid out in the type's remarks.</summary>
    public byte[] GetSignedBytes()
    {
        var signed = new byte[SignedByteCount(_salt.Length, ValueBytes.Length)];
        WriteSignedBytes(signed, _salt, Sequence, ValueBytes);
        return signed;
    }

    /// <summary>Checks the signature. Never throws, whatever the bytes.</summary>
    public override RecordError Verify()
    {
        Span<byte> signed = stackalloc byte[SignedByteCount(_salt.Length, ValueBytes.Length)];
        WriteSignedBytes(signed, _salt, Sequence, ValueBytes);
        return Publisher.Verify(signed, _signature) ? RecordError.None : RecordError.InvalidSignature;
    }

    private static int SignedByteCount(int saltLength, int valueLength) =>
        Domain.Length + 1 + saltLength + sizeof(ulong) + sizeof(ushort) + valueLength;

    private static void WriteSignedBytes(Span<byte> destination, ReadOnlySpan<byte> salt, ulong sequence, ReadOnlySpan<byte> value)
    {
        Domain.CopyTo(destination);
        var rest = destination[Domain.Length..];
        rest[0] = (byte)salt.Length;
        salt.CopyTo(rest[1..]);
        rest = rest[(1 + salt.Length)..];
        BinaryPrimitives.WriteUInt64BigEndian(rest, sequence);
        BinaryPrimitives.WriteUInt16BigEndian(rest[sizeof(ulong)..], (ushort)value.Length);
        value.CopyTo(rest[(sizeof(ulong) + sizeof(ushort))..]);
    }

    private static ReadOnlySpan<byte> CheckSalt(ReadOnlySpan<byte> salt)
    {
        if (salt.Length > RecordLimits.MaxSaltSize)
        {
            throw new ArgumentException($"A salt is at most {RecordLimits.MaxSaltSize} bytes, not {salt.Length}.", nameof(salt));
        }

        return salt;
    }

    private static ReadOnlySpan<byte> CheckValueSpan(ReadOnlySpan<byte> value)
    {
        CheckValue(value);
        return value;
    }

    private static ReadOnlySpan<byte> CheckSignature(ReadOnlySpan<byte> signature)
    {
        if (signature.Length != RecordLimits.SignatureSize)
        {
            throw new ArgumentException($"An Ed25519 signature is {RecordLimits.SignatureSize} bytes, not {signature.Length}.", nameof(signature));
        }

        return signature;
    }

    /// <inheritdoc/>
    public bool Equals(MutableRecord? other) =>
        other is not null
        && Publisher == other.Publisher
        && Sequence == other.Sequence
        && _salt.AsSpan().SequenceEqual(other._salt)
        && ValueBytes.AsSpan().SequenceEqual(other.ValueBytes)
        && _signature.AsSpan().SequenceEqual(other._signature);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as MutableRecord);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Key, Sequence);

    /// <inheritdoc/>
    public override string ToString() => $"mutable {Key.ToShortString()} seq {Sequence} ({ValueBytes.Length} bytes)";
}
