using Kademlia.Engine;
using Kademlia.Identity;

namespace Kademlia.Dashboard.Internal;

/// <summary>
/// Relays one node's lookup steps and the end of those lookups to the pages. Remembers the target of
/// the last <see cref="MaxTracked"/> lookups it saw steps of, so a finished one is reported with its path.
/// </summary>
internal static class LookupTracker
{
    private const int MaxTracked = 256;

    /// <summary>Runs until <paramref name="stop"/> or until the node stops.</summary>
    public static async Task RelayAsync(DhtNode node, int index, Broadcast events, CancellationToken stop)
    {
        var targets = new Dictionary<QueryId, NodeId>();
        var order = new Queue<QueryId>();
        try
        {
            await foreach (var engineEvent in node.SubscribeAsync(includeLookupSteps: true, stop).ConfigureAwait(false))
            {
                switch (engineEvent)
                {
                    case LookupStepped step:
                        if (targets.TryAdd(step.Query, step.Target))
                        {
                            order.Enqueue(step.Query);
                            if (order.Count > MaxTracked)
                            {
                                targets.Remove(order.Dequeue());
                            }
                        }

                        events.Send("step", ViewMapping.Step(step, index));
                        break;
                    case QueryFinished finished when targets.TryGetValue(finished.Query, out var target):
                        events.Send("done", ViewMapping.Done(finished, target, index));
                        break;
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Stopped, or the node stopped or faulted (its host reports that): nothing more to relay.
        }
    }
}
