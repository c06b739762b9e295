using System.Diagnostics.CodeAnalysis;
using System.Net;
using Kademlia.Wire;

namespace Kademlia.Engine.Internal;

/// <summary>Takes a packet for <paramref name="destination"/> elsewhere than the outbox's queue; false when it cannot.</summary>
internal delegate bool PacketDiversion(EndPoint destination, ReadOnlySpan<byte> packet);

/// <summary>
/// The datagrams waiting to be polled, with the outgoing packet and byte counters. Every packet passes
/// the 3x budget of <see cref="AddressValidation"/> on its way in; one that would break it is dropped
/// and counted instead.
/// </summary>
/// <remarks>
/// A queued packet is copied into a buffer of this outbox's own, and the buffer is kept for the next
/// packet once the host has polled it into a buffer of its own (<see cref="TryPoll(Span{byte}, out EndPoint?, out int)"/>):
/// in the steady state nothing is allocated per packet. A few spare buffers are kept, no more, so
/// a burst (a bootstrap, a republish) does not pin its peak for good.
/// </remarks>
internal sealed class Outbox(AddressValidation addresses, DropCounters drops)
{
    /// <summary>Buffers kept for reuse once polled.</summary>
    private const int MaxSpareBuffers = 16;

    private readonly Queue<Entry> _queue = new();
    private readonly Stack<byte[]> _spare = new();

    /// <summary>
    /// Where a packet for a made-up relay endpoint (<see cref="RelayPaths"/>) goes instead of the queue, once
    /// it passed that endpoint's 3x budget: the engine wraps it in a RELAY_SEND to its rendezvous.
    /// </summary>
    public PacketDiversion? Divert { get; set; }

    /// <summary>Packets queued so far.</summary>
    public long Packets { get; private set; }

    /// <summary>Bytes queued so far.</summary>
    public long Bytes { get; private set; }

    /// <summary>Queues a copy of <paramref name="packet"/>; false (dropped, counted) when it would break an unproven address's budget.</summary>
    public bool TryQueue(EndPoint destination, ReadOnlySpan<byte> packet)
    {
        if (!TrySpend(destination, packet.Length))
        {
            return false;
        }

        if (Divert is { } divert && RelayPaths.IsRelayed(destination))
        {
            return divert(destination, packet);
        }

        var buffer = packet.Length <= WireLimits.MaxPacketSize && _spare.TryPop(out var spare)
            ? spare
            : new byte[Math.Max(packet.Length, WireLimits.MaxPacketSize)];
        packet.CopyTo(buffer);
        return Add(new Entry(destination, buffer, packet.Length, Pooled: buffer.Length == WireLimits.MaxPacketSize));
    }

    /// <summary>Queues <paramref name="packet"/> itself (already owned by nobody else).</summary>
    public bool TryQueue(EndPoint destination, byte[] packet) =>
        TrySpend(destination, packet.Length)
        && (Divert is { } divert && RelayPaths.IsRelayed(destination)
            ? divert(destination, packet)
            : Add(new Entry(destination, packet, packet.Length, Pooled: false)));

    /// <summary>Takes the next datagram to send, as an array of its own.</summary>
    public bool TryPoll(out Transmit transmit)
    {
        if (!_queue.TryDequeue(out var entry))
        {
            transmit = default;
            return false;
        }

        if (!entry.Pooled)
        {
            transmit = new Transmit(entry.Destination, entry.Bytes);
            return true;
        }

        transmit = new Transmit(entry.Destination, entry.Bytes.AsSpan(0, entry.Length).ToArray());
        Release(entry);
        return true;
    }

    /// <summary>Copies the next datagram to send into <paramref name="buffer"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="buffer"/> is shorter than the next datagram (which stays queued).</exception>
    public bool TryPoll(Span<byte> buffer, [NotNullWhen(true)] out EndPoint? destination, out int length)
    {
        if (!_queue.TryPeek(out var entry))
        {
            destination = null;
            length = 0;
            return false;
        }

        if (buffer.Length < entry.Length)
        {
            throw new ArgumentException($"The next datagram is {entry.Length} bytes; the buffer holds {buffer.Length} (give at least {WireLimits.MaxPacketSize}).", nameof(buffer));
        }

        _queue.Dequeue();
        entry.Bytes.AsSpan(0, entry.Length).CopyTo(buffer);
        destination = entry.Destination;
        length = entry.Length;
        Release(entry);
        return true;
    }

    private void Release(Entry entry)
    {
        if (entry.Pooled && _spare.Count < MaxSpareBuffers)
        {
            _spare.Push(entry.Bytes);
        }
    }

    private bool TrySpend(EndPoint destination, int length)
    {
        if (addresses.TrySpend(destination, length))
        {
            return true;
        }

        drops.Count(EngineDropReason.AmplificationLimit);
        return false;
    }

    private bool Add(Entry entry)
    {
        _queue.Enqueue(entry);
        Packets++;
        Bytes += entry.Length;
        return true;
    }

    /// <summary>One queued datagram: its first <see cref="Length"/> bytes of <see cref="Bytes"/>, which is ours to reuse when <see cref="Pooled"/>.</summary>
    private readonly record struct Entry(EndPoint Destination, byte[] Bytes, int Length, bool Pooled);
}
