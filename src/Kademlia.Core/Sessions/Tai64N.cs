using System.Buffers.Binary;

namespace Kademlia.Sessions;

/// <summary>
/// A TAI64N-style timestamp (12 bytes: 2^62 + Unix seconds, then nanoseconds, both big-endian), as in
/// WireGuard's initiation. Byte order equals numeric order, so replay checks compare values.
/// </summary>
/// <remarks>Leap seconds are ignored: only monotonicity per sender matters.</remarks>
internal readonly record struct Tai64N(ulong Seconds, uint Nanoseconds) : IComparable<Tai64N>
{
    /// <summary>Encoded size.</summary>
    public const int Size = 12;

    private const ulong Epoch = 1UL << 62;

    /// <summary>The timestamp of <paramref name="now"/>, to 100 ns (a tick).</summary>
    public static Tai64N FromDateTimeOffset(DateTimeOffset now)
    {
        long ticks = now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long remainder);
        return new Tai64N(Epoch + (ulong)seconds, (uint)(remainder * 100));
    }

    /// <summary>The next representable timestamp, for a sender that initiates twice in the same instant.</summary>
    public Tai64N Next() => Nanoseconds < 999_999_999 ? this with { Nanoseconds = Nanoseconds + 1 } : new Tai64N(Seconds + 1, 0);

    /// <summary>Writes the 12-byte encoding.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, Seconds);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Nanoseconds);
    }

    /// <summary>Reads the 12-byte encoding.</summary>
    public static Tai64N Read(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(source), BinaryPrimitives.ReadUInt32BigEndian(source[8..]));

    /// <inheritdoc />
    public int CompareTo(Tai64N other) => Seconds != other.Seconds ? Seconds.CompareTo(other.Seconds) : Nanoseconds.CompareTo(other.Nanoseconds);

    /// <summary>Order.</summary>
    public static bool operator >(Tai64N left, Tai64N right) => left.CompareTo(right) > 0;

    /// <summary>Order.</summary>
    public static bool operator <(Tai64N left, Tai64N right) => left.CompareTo(right) < 0;

    /// <summary>Order.</summary>
    public static bool operator >=(Tai64N left, Tai64N right) => left.CompareTo(right) >= 0;

    /// <summary>Order.</summary>
    public static bool operator <=(Tai64N left, Tai64N right) => left.CompareTo(right) <= 0;
}
