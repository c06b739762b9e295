using System.Text.Json;
using System.Threading.Channels;

namespace Kademlia.Dashboard.Internal;

/// <summary>
/// Server-sent events fanned out to every open page. Each event is serialized once; a page that falls
/// <see cref="Backlog"/> events behind loses the oldest (the next snapshot repairs it), so a stalled
/// browser never holds the node's memory.
/// </summary>
internal sealed class Broadcast
{
    private const int Backlog = 512;

    private readonly List<Channel<ServerEvent>> _viewers = [];
    private readonly TaskCompletionSource _firstViewer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Viewers
    {
        get
        {
            lock (_viewers)
            {
                return _viewers.Count;
            }
        }
    }

    /// <summary>Completes when the first page connects.</summary>
    public Task FirstViewer => _firstViewer.Task;

    public Channel<ServerEvent> Join()
    {
        var channel = Channel.CreateBounded<ServerEvent>(new BoundedChannelOptions(Backlog) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_viewers)
        {
            _viewers.Add(channel);
        }

        _firstViewer.TrySetResult();
        return channel;
    }

    public void Leave(Channel<ServerEvent> viewer)
    {
        lock (_viewers)
        {
            _viewers.Remove(viewer);
        }
    }

    public void Send(string eventType, object data)
    {
        Channel<ServerEvent>[] viewers;
        lock (_viewers)
        {
            if (_viewers.Count == 0)
            {
                return;
            }

            viewers = [.. _viewers];
        }

        var item = Item(eventType, data);
        foreach (var viewer in viewers)
        {
            viewer.Writer.TryWrite(item);
        }
    }

    public static ServerEvent Item(string eventType, object data) =>
        new(eventType, JsonSerializer.Serialize(data, data.GetType(), DashboardJson.Options));

    public void CompleteAll()
    {
        lock (_viewers)
        {
            foreach (var viewer in _viewers)
            {
                viewer.Writer.TryComplete();
            }

            _viewers.Clear();
        }
    }
}

/// <summary>One server-sent event: its type and its JSON (one line, as the serializer writes it).</summary>
internal sealed record ServerEvent(string Type, string Data)
{
    public string Format() => $"event: {Type}\ndata: {Data}\n\n";
}
