using System.Diagnostics.Metrics;
using System.Net;
using Kademlia.Identity;

namespace Kademlia.Tests;

/// <summary>
/// Issue 16 item 7: a node that receives packets of another network says so. They are dropped without an
/// answer (the sender sees silence), so the receiver names the cause: a warning in its log (event 24), and
/// the drop under its reason in the <see cref="DhtNode.MeterName"/> meter.
/// </summary>
public sealed class WrongNetworkVisibilityTests
{
    private const int WrongNetworkEvent = 24;

    private static CancellationToken Guard() => new CancellationTokenSource(LoopbackNetwork.Guard).Token;

    [Fact]
    public async Task Packets_of_another_network_are_logged_as_a_mismatch_and_counted_in_the_meter()
    {
        var log = new EventLog();
        using var meters = new OwnMeters();
        await using var receiver = await DhtNode.StartAsync(new DhtNodeOptions
        {
            Network = NetworkParameters.Test,
            Bind = new IPEndPoint(IPAddress.Loopback, 0),
            LoggerFactory = log,
            MeterFactory = meters,
        });
        var other = NetworkParameters.Test with { NetworkId = NetworkParameters.NetworkIdFromName("visibility-other"), Name = "visibility-other" };
        await using var sender = await DhtNode.StartAsync(new DhtNodeOptions { Network = other, Bind = new IPEndPoint(IPAddress.Loopback, 0) });

        var ping = await sender.PingAsync(receiver.LocalEndpoint, Guard());
        Assert.Null(ping.Peer);
        Assert.Equal(OperationFailure.Timeout, ping.Failure);
        await log.WaitForAsync(WrongNetworkEvent, 1);

        using var listener = new MeterListener();
        long dropped = 0;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name == "kademlia.packets.dropped")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "kademlia.drop.reason", Value: "session.WrongNetwork" })
                {
                    Interlocked.Exchange(ref dropped, value);
                }
            }
        });
        listener.Start();

        // The meter reads a snapshot the node's loop refreshes every second: wait for it (a guard, not a timing).
        using var guard = new CancellationTokenSource(LoopbackNetwork.Guard);
        while (Interlocked.Read(ref dropped) == 0 && !guard.IsCancellationRequested)
        {
            listener.RecordObservableInstruments();
            await Task.Delay(100, CancellationToken.None);
        }

        Assert.True(Interlocked.Read(ref dropped) > 0, "no session.WrongNetwork drop in the Kademlia meter");
        Assert.True((await receiver.GetStatisticsAsync(Guard())).Engine.Drops.GetValueOrDefault("session.WrongNetwork") > 0);
    }

    /// <summary>Meters of this test alone: each carries the factory as its scope.</summary>
    private sealed class OwnMeters : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
            lock (_meters)
            {
                _meters.Add(meter);
            }

            return meter;
        }

        public void Dispose()
        {
            lock (_meters)
            {
                _meters.ForEach(m => m.Dispose());
            }
        }
    }
}
