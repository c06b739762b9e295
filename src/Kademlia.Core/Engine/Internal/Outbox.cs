using System.Net;

namespace Kademlia.Engine.Internal;

/// <summary>
/// The datagrams waiting to be polled, with the outgoing packet and byte counters. Every packet passes
/// the 3x budget of <see cref="AddressValidation"/> on its way in; one that would break it is dropped
/// and counted instead.
/// </summary>
internal sealed class Outbox(AddressValidation addresses, DropCounters drops)
{
    private readonly Queue<Transmit> _queue = new();

    /// <summary>Packets queued so far.</summary>
    public long Packets { get; private set; }

    /// <summary>Bytes queued so far.</summary>
    public long Bytes { get; private set; }

    /// <summary>Queues a copy of <paramref name="packet"/>; false (dropped, counted) when it would break an unproven address's budget.</summary>
    public bool TryQueue(EndPoint destination, ReadOnlySpan<byte> packet) =>
        TryQueue(destination, packet.Length) && Add(new Transmit(destination, packet.ToArray()));

    /// <summary>Queues <paramref name="packet"/> itself (already owned by nobody else).</summary>
    public bool TryQueue(EndPoint destination, byte[] packet) =>
        TryQueue(destination, packet.Length) && Add(new Transmit(destination, packet));

    /// <summary>Takes the next datagram to send.</summary>
    public bool TryPoll(out Transmit transmit) => _queue.TryDequeue(out transmit);

    private bool TryQueue(EndPoint destination, int length)
    {
        if (addresses.TrySpend(destination, length))
        {
            return true;
        }

        drops.Count(EngineDropReason.AmplificationLimit);
        return false;
    }

    private bool Add(Transmit transmit)
    {
        _queue.Enqueue(transmit);
        Packets++;
        Bytes += transmit.Packet.Length;
        return true;
    }
}
