using System.Buffers.Binary;
using Kademlia.Engine;

namespace Kademlia.Simulation.Tests;

/// <summary>
/// Two engines talking on one app channel in virtual time, as two players would: each sends the other a
/// numbered datagram every <see cref="DatagramInterval"/>, and runs numbered requests in lockstep (the next
/// once the last is answered; a request that failed is sent again under the same number). Records what each
/// side delivered, in order, and when.
/// </summary>
internal sealed class Conversation
{
    public const string Channel = "game/1";

    /// <summary>Between two datagrams of one side.</summary>
    public static readonly TimeSpan DatagramInterval = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);

    private readonly EngineNetwork _network;
    private readonly Side _a;
    private readonly Side _b;

    public Conversation(EngineNetwork network, SimulatedEngine a, SimulatedEngine b)
    {
        _network = network;
        _a = new Side(a);
        _b = new Side(b);
        _a.Other = _b;
        _b.Other = _a;
        a.Engine.OpenAppChannel(Channel);
        b.Engine.OpenAppChannel(Channel);
    }

    /// <summary>The side of <see cref="SimulatedEngine"/> a (the first given).</summary>
    public Side A => _a;

    /// <summary>The side of <see cref="SimulatedEngine"/> b.</summary>
    public Side B => _b;

    /// <summary>Talks for <paramref name="duration"/>; <paramref name="tick"/> runs after every step (10 ms) with the time talked so far.</summary>
    public void Run(TimeSpan duration, Action<TimeSpan>? tick = null)
    {
        var start = _network.Now;
        var nextDatagram = start;
        while (_network.Now - start < duration)
        {
            if (_network.Now >= nextDatagram)
            {
                _a.SendDatagram(_network);
                _b.SendDatagram(_network);
                nextDatagram += DatagramInterval;
            }

            _a.Pump(_network);
            _b.Pump(_network);
            _network.RunFor(Step);
            tick?.Invoke(_network.Now - start);
        }
    }

    /// <summary>Lets what is in flight arrive, without sending more.</summary>
    public void Drain(TimeSpan duration)
    {
        var end = _network.Now + duration;
        while (_network.Now < end)
        {
            _a.Pump(_network, sendRequests: false);
            _b.Pump(_network, sendRequests: false);
            _network.RunFor(Step);
        }
    }

    /// <summary>One player: what it sent and what it delivered from the other.</summary>
    internal sealed class Side(SimulatedEngine node)
    {
        private int _eventsSeen;
        private QueryId? _pending;

        public SimulatedEngine Node { get; } = node;

        public Side Other { get; set; } = null!;

        /// <summary>Datagrams sent: number and time.</summary>
        public List<DateTimeOffset> DatagramsSent { get; } = [];

        /// <summary>The numbers of the other side's datagrams, in the order they were delivered here, with the time.</summary>
        public List<(int Number, DateTimeOffset At)> DatagramsDelivered { get; } = [];

        /// <summary>The numbers of the other side's requests, in the order they were delivered here (a retry may deliver one again).</summary>
        public List<int> RequestsDelivered { get; } = [];

        /// <summary>Requests of ours answered, in order.</summary>
        public List<int> RequestsAnswered { get; } = [];

        /// <summary>The paths this side's engine reported for kept paths, with the time.</summary>
        public List<(PeerPath Path, DateTimeOffset At)> PathChanges { get; } = [];

        public int NextRequest { get; private set; }

        public void SendDatagram(EngineNetwork network)
        {
            var number = DatagramsSent.Count;
            DatagramsSent.Add(network.Now);
            var payload = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(payload, number);
            network.Start(Node, (e, now) => { e.SendAppDatagram(now, Other.Node.Info, Channel, payload); return default; });
        }

        public void Pump(EngineNetwork network, bool sendRequests = true)
        {
            var events = Node.Events;
            for (; _eventsSeen < events.Count; _eventsSeen++)
            {
                switch (events[_eventsSeen])
                {
                    case AppMessageReceived { Channel: Channel, ExpectsReply: false } datagram:
                        DatagramsDelivered.Add((BinaryPrimitives.ReadInt32BigEndian(datagram.Payload.Span), network.Now));
                        break;
                    case AppMessageReceived { Channel: Channel, ExpectsReply: true } request:
                        RequestsDelivered.Add(BinaryPrimitives.ReadInt32BigEndian(request.Payload.Span));
                        var answer = request.Payload.ToArray();
                        network.Start(Node, (e, now) => { e.ReplyApp(now, request.From, request.RequestId, answer); return default; });
                        break;
                    case QueryFinished { Result: AppRequestResult result } finished when finished.Query == _pending:
                        _pending = null;
                        if (result.Succeeded)
                        {
                            RequestsAnswered.Add(NextRequest++);
                        }

                        break;
                    case PeerPathChanged changed:
                        PathChanges.Add((changed.Path, network.Now));
                        break;
                }
            }

            if (sendRequests && _pending is null)
            {
                var payload = new byte[4];
                BinaryPrimitives.WriteInt32BigEndian(payload, NextRequest);
                _pending = network.Start(Node, (e, now) => e.SendAppRequest(now, Other.Node.Info, Channel, payload, TimeSpan.FromSeconds(1), retries: 2));
            }
        }
    }
}
