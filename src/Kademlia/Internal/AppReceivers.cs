using System.Threading.Channels;
using Kademlia.Engine;

namespace Kademlia.Internal;

/// <summary>
/// The application receiving on each channel, as the queue its <see cref="DhtNode.ReceiveAsync"/> reads. Owned
/// by the node's loop: only the loop opens, closes and delivers, so a channel is open in the engine exactly
/// while a receiver is here.
/// </summary>
internal sealed class AppReceivers
{
    private readonly Dictionary<string, ChannelWriter<AppMessage>> _byChannel = new(StringComparer.Ordinal);

    /// <summary>Messages a receiver's full queue could not take (a request among them was refused RATE_LIMITED).</summary>
    public long Dropped { get; private set; }

    /// <summary>Makes <paramref name="writer"/> the receiver of <paramref name="channel"/>; false when the channel has one.</summary>
    public bool TryOpen(KademliaEngine engine, string channel, ChannelWriter<AppMessage> writer)
    {
        if (!_byChannel.TryAdd(channel, writer))
        {
            return false;
        }

        engine.OpenAppChannel(channel);
        return true;
    }

    /// <summary>Ends <paramref name="writer"/>'s reception of <paramref name="channel"/>, if it is still the receiver.</summary>
    public void Close(KademliaEngine engine, string channel, ChannelWriter<AppMessage> writer)
    {
        if (_byChannel.TryGetValue(channel, out var current) && current == writer)
        {
            _byChannel.Remove(channel);
            engine.CloseAppChannel(channel);
        }
    }

    /// <summary>Queues <paramref name="message"/> for its channel's receiver; false (counted) when there is none or its queue is full.</summary>
    public bool TryDeliver(AppMessage message)
    {
        if (_byChannel.TryGetValue(message.Channel, out var writer) && writer.TryWrite(message))
        {
            return true;
        }

        Dropped++;
        return false;
    }

    /// <summary>Ends every reception, with <paramref name="fault"/> when the loop failed.</summary>
    public void CompleteAll(Exception? fault)
    {
        foreach (var writer in _byChannel.Values)
        {
            writer.TryComplete(fault);
        }

        _byChannel.Clear();
    }
}
