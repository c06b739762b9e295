using Kademlia.Identity;
using Kademlia.Simulation.Invariants;

namespace Kademlia.Simulation;

/// <summary>
/// Runs a message-level scenario: publishes records, spreads FIND_NODE and GET workload over the
/// run, churns nodes, refreshes buckets, republishes records and samples retrievability and table
/// health, all on one virtual clock from one seed. Single-threaded; the same options give the same
/// <see cref="SimulationSummary"/>.
/// </summary>
public static class Simulator
{
    /// <summary>Builds the network of <paramref name="options"/> and runs it.</summary>
    /// <exception cref="SimulationInvariantException">An invariant failed; the message names the seed.</exception>
    public static SimulationSummary Run(SimulationOptions options, string scenario = "") => Run(new MessageLevelNetwork(options), scenario);

    /// <summary>Runs the scenario on an already built <paramref name="network"/>.</summary>
    /// <exception cref="SimulationInvariantException">An invariant failed; the message names the seed.</exception>
    public static SimulationSummary Run(MessageLevelNetwork network, string scenario = "")
    {
        ArgumentNullException.ThrowIfNull(network);
        return new MessageLevelRun(network).Execute(scenario);
    }

    private enum EventKind
    {
        Leave,
        Join,
        FreshJoin,
        Refresh,
        FindNode,
        Get,
        Republish,
        Sample,
    }

    private readonly record struct SimEvent(EventKind Kind, int Node);

    private sealed class MessageLevelRun(MessageLevelNetwork network)
    {
        private readonly PriorityQueue<SimEvent, (long, long)> _queue = new();
        private readonly List<OperationSample> _samples = [];
        private readonly List<TimelinePoint> _timeline = [];
        private readonly List<string> _violations = [];
        private readonly List<int> _publishers = [];
        private readonly SimulationOptions _options = network.Options;
        private readonly Random _random = network.Random;
        private long _sequence;
        private int _targetedGets;
        private int _targetedFound;
        private long _events;
        private DateTimeOffset _now = MessageLevelNetwork.Epoch;

        public SimulationSummary Execute(string scenario)
        {
            var medianRtt = MeasureMedianRtt();
            for (var r = 0; r < _options.Records; r++)
            {
                var from = network.RandomHonestOnline();
                if (from < 0) break;
                _publishers.Add(from);
                var put = network.Publish(from, _now);
                Check(put.Lookup);
                _samples.Add(new OperationSample(OperationKind.Put, 0, put.Stored > 0, put.Lookup.Hops, put.Duration.TotalMilliseconds, put.Messages));
            }

            var duration = _options.Duration;
            var gets = _options.Gets ?? _options.Lookups;
            ScheduleWorkload(EventKind.FindNode, _options.Lookups, duration, 0.25);
            ScheduleWorkload(EventKind.Get, network.RecordKeys.Count > 0 ? gets : 0, duration, 0.75);
            if (duration > TimeSpan.Zero)
            {
                ScheduleChurnAndRefresh(duration);
                for (var at = TimeSpan.Zero; at <= duration; at += _options.SampleInterval)
                {
                    Schedule(at, new SimEvent(EventKind.Sample, 0));
                }

                if (_options.Republish)
                {
                    for (var at = _options.RepublishInterval; at <= duration; at += _options.RepublishInterval)
                    {
                        Schedule(at, new SimEvent(EventKind.Republish, 0));
                    }
                }
            }
            else
            {
                Schedule(TimeSpan.Zero, new SimEvent(EventKind.Sample, 0));
            }

            var end = MessageLevelNetwork.Epoch + duration;
            while (_queue.TryDequeue(out var next, out var at) && at.Item1 <= end.UtcTicks)
            {
                _now = new DateTimeOffset(at.Item1, TimeSpan.Zero);
                _events++;
                Handle(next);
            }

            var eclipse = _options.Eclipse is null ? null : MeasureEclipse();
            var sybils = _options.Sybils is null ? null : MeasureSybils();
            var nat = network.NodesBehindNat > 0 ? MeasureNat() : null;
            if (_options.CheckInvariants)
            {
                foreach (var checker in InvariantCheckers.All)
                {
                    checker.Check(network, _violations);
                }

                if (_violations.Count > 0)
                {
                    throw new SimulationInvariantException(
                        $"{_violations.Count} invariant violations (seed {network.Seed}; replay with the same options and seed): {string.Join("; ", _violations.Take(5))}");
                }
            }

            List<OperationSample> Of(OperationKind kind) => _samples.Where(s => s.Kind == kind).ToList();
            return new SimulationSummary
            {
                Seed = network.Seed,
                Mode = "message",
                Scenario = scenario,
                Nodes = _options.Nodes,
                K = _options.K,
                Alpha = _options.Alpha,
                DisjointPaths = _options.DisjointPaths,
                MeasuredMedianRttMs = Math.Round(medianRtt, 1),
                FindNode = OperationStats.Of(Of(OperationKind.FindNode)),
                Get = OperationStats.Of(Of(OperationKind.Get)),
                Put = OperationStats.Of(Of(OperationKind.Put)),
                Republish = OperationStats.Of(Of(OperationKind.Republish)),
                Probes = OperationStats.Of(Of(OperationKind.Probe)),
                Timeline = _timeline,
                Eclipse = eclipse,
                Nat = nat,
                Sybils = sybils,
                DeadAddressQueries = network.DeadAddressQueries,
                Events = _events,
                Messages = network.MessagesSimulated,
                JoinMessages = network.JoinMessages,
                TablesDrawn = network.TablesDrawn,
                MaintenanceMessages = network.MaintenanceMessages,
                Pings = network.PingsSimulated,
                Violations = _violations,
                Samples = _samples,
            };
        }

        private void Handle(SimEvent e)
        {
            var nodes = network.Nodes;
            var churn = _options.Churn;
            switch (e.Kind)
            {
                case EventKind.Leave:
                    network.Leave(nodes[e.Node]);
                    if (churn is not null && _random.NextDouble() < churn.DepartureProbability)
                    {
                        nodes[e.Node].HasDeparted = true;
                        ScheduleIn(Draw(churn, churn.MedianDowntime), new SimEvent(EventKind.FreshJoin, 0));
                    }
                    else if (churn is not null)
                    {
                        ScheduleIn(Draw(churn, churn.MedianDowntime), new SimEvent(EventKind.Join, e.Node));
                    }

                    break;
                case EventKind.Join:
                    network.Join(nodes[e.Node], _now);
                    ScheduleIn(Draw(churn!, churn!.MedianSession), new SimEvent(EventKind.Leave, e.Node));
                    break;
                case EventKind.FreshJoin:
                    var fresh = network.AddFreshNode(_now);
                    ScheduleIn(Draw(churn!, churn!.MedianSession), new SimEvent(EventKind.Leave, fresh.Index));
                    ScheduleIn(_options.BucketRefreshInterval * _random.NextDouble(), new SimEvent(EventKind.Refresh, fresh.Index));
                    break;
                case EventKind.Refresh:
                    if (nodes[e.Node].IsOnline) network.Refresh(nodes[e.Node], _now);
                    if (!nodes[e.Node].HasDeparted) ScheduleIn(_options.BucketRefreshInterval, e);
                    break;
                case EventKind.FindNode:
                    RunFindNode();
                    break;
                case EventKind.Get:
                    RunGet(_random.Next(network.RecordKeys.Count), OperationKind.Get);
                    break;
                case EventKind.Republish:
                    RepublishAll();
                    break;
                case EventKind.Sample:
                    TakeSample();
                    break;
            }
        }

        private void RunFindNode()
        {
            var from = network.RandomHonestOnline();
            if (from < 0) return;
            var outcome = network.RunLookup(from, network.RandomTarget(), _now);
            Check(outcome);
            _samples.Add(new OperationSample(OperationKind.FindNode, Seconds(), outcome.FoundClosest, outcome.Hops, outcome.Duration.TotalMilliseconds, outcome.Messages));
        }

        private bool RunGet(int record, OperationKind kind)
        {
            var from = network.RandomHonestOnline();
            if (from < 0) return false;
            var get = network.Get(from, record, _now);
            if (record < (_options.Sybils?.Targets ?? 0))
            {
                _targetedGets++;
                if (get.Found) _targetedFound++;
            }

            _samples.Add(new OperationSample(kind, Seconds(), get.Found, get.Hops, get.Duration.TotalMilliseconds, get.Messages));
            return get.Found;
        }

        private void RepublishAll()
        {
            for (var record = 0; record < network.RecordKeys.Count; record++)
            {
                // One re-store per record and interval: a holder that received the record within the
                // interval skips its own (the paper's optimisation), so the publisher or else the
                // first live holder does it.
                var publisher = network.Nodes[_publishers[record]];
                var actor = publisher.IsOnline && !publisher.HasDeparted ? publisher : network.Holders(record).FirstOrDefault();
                if (actor is null) continue;
                var put = network.Store(actor.Index, record, _now);
                _samples.Add(new OperationSample(OperationKind.Republish, Seconds(), put.Stored > 0, put.Lookup.Hops, put.Duration.TotalMilliseconds, put.Messages));
            }
        }

        private void TakeSample()
        {
            var records = network.RecordKeys.Count;
            var retrieved = 0;
            var replicated = 0;
            long replicas = 0;
            var holderCounts = network.HolderCounts();
            for (var record = 0; record < records; record++)
            {
                var holders = holderCounts[record];
                replicas += holders;
                if (holders > 0) replicated++;
                if (_options.Duration > TimeSpan.Zero && RunGet(record, OperationKind.Probe)) retrieved++;
            }

            var (contacts, live) = network.TableHealth();
            var online = network.Nodes.Count(n => n.IsOnline && n.Behavior == NodeBehavior.Honest);
            _timeline.Add(new TimelinePoint(
                Math.Round(Seconds() / 3600, 3),
                online,
                records == 0 || _options.Duration == TimeSpan.Zero ? double.NaN : (double)retrieved / records,
                records == 0 ? double.NaN : (double)replicated / records,
                records == 0 ? 0 : Math.Round((double)replicas / records, 2),
                Math.Round(contacts, 1),
                Math.Round(live, 4)));
        }

        private EclipseReport MeasureEclipse()
        {
            var nodes = network.Nodes;
            var victim = nodes[0];
            var table = victim.Table.Contacts;
            var attackers = table.Count(c => nodes[c].IsEclipseAttacker);
            var honest = nodes.Where(n => n.Index != 0 && n.Behavior == NodeBehavior.Honest && n.IsOnline).ToList();
            var holding = honest.Count(n => n.Table.Contains(0));
            var closestHolding = honest.OrderBy(n => n.Info.Id ^ victim.Info.Id).Take(network.Network.K).Count(n => n.Table.Contains(0));
            const int trials = 200;
            var own = 0;
            for (var i = 0; i < trials; i++)
            {
                if (network.RunLookup(0, network.RandomTarget(), _now).FoundClosest) own++;
            }

            var byPaths = new List<EclipsePaths>();
            foreach (var d in _options.Eclipse!.MeasuredPaths)
            {
                var reached = 0;
                long messages = 0;
                for (var i = 0; i < trials; i++)
                {
                    var from = network.RandomHonestOnline();
                    while (from == 0) from = network.RandomHonestOnline();
                    var outcome = network.RunLookup(from, victim.Info.Id, _now, d);
                    messages += outcome.Messages;
                    if (outcome.Result.Any(c => c.Node.Id == victim.Info.Id)) reached++;
                }

                byPaths.Add(new EclipsePaths(d, trials, (double)reached / trials, Math.Round((double)messages / trials, 2)));
            }

            var atRunD = byPaths.FirstOrDefault(p => p.DisjointPaths == _options.DisjointPaths)?.ReachedVictim ?? double.NaN;
            return new EclipseReport(table.Count, table.Count == 0 ? 0 : Math.Round((double)attackers / table.Count, 4), (double)own / trials, atRunD, byPaths, holding, closestHolding);
        }

        private SybilReport MeasureSybils()
        {
            var options = _options.Sybils!;
            var c1 = NetworkParameters.Default.StaticDifficulty;
            var buckets = network.Nodes.Where(n => n.SybilBucket >= 0).Select(n => n.SybilBucket).ToList();
            var total = buckets.Sum(b => Math.Pow(2, b + 1 + c1));
            return new SybilReport(
                options.Targets,
                options.PerTarget,
                buckets.Count == 0 ? 0 : Math.Round(buckets.Average(), 2),
                c1,
                buckets.Count == 0 ? 0 : Math.Round(Math.Log2(total / buckets.Count), 2),
                buckets.Count == 0 ? 0 : Math.Round(Math.Log2(total), 2),
                _targetedGets == 0 ? double.NaN : Math.Round((double)_targetedFound / _targetedGets, 4));
        }

        private NatReport MeasureNat()
        {
            var nodes = network.Nodes;
            var (natted, contacts) = ClientModeChecker.CountPublicTables(network);

            // Keepalives are counted, not simulated: at message level they change no outcome, since no
            // table holds a client and so nobody sends to one unsolicited. Each online client sends one
            // to each of its closest contacts (up to KeepalivePeers) every KeepaliveInterval.
            var rounds = (long)(_options.Duration / _options.KeepaliveInterval);
            long keepalives = 0;
            foreach (var node in nodes)
            {
                if (node.IsClient && node.IsOnline && !node.HasDeparted)
                {
                    keepalives += rounds * Math.Min(_options.KeepalivePeers, node.Table.Count);
                }
            }

            return new NatReport(
                nodes.Count(n => n.Nat is not null),
                _options.ClientMode,
                natted,
                contacts == 0 ? 0 : Math.Round((double)natted / contacts, 4),
                network.DroppedAtNats,
                keepalives);
        }

        private void ScheduleWorkload(EventKind kind, int count, TimeSpan duration, double phase)
        {
            for (var i = 0; i < count; i++)
            {
                Schedule(duration * ((i + phase) / count), new SimEvent(kind, 0));
            }
        }

        private void ScheduleChurnAndRefresh(TimeSpan duration)
        {
            foreach (var node in network.Nodes.ToList())
            {
                if (_options.Churn is { } churn && network.IsChurning(node))
                {
                    if (node.IsOnline)
                    {
                        // Exponential sessions are memoryless; for log-normal ones a uniform share of a
                        // session approximates the residual life of a node already up.
                        var session = Draw(churn, churn.MedianSession);
                        Schedule(churn.Distribution == DurationDistribution.Exponential ? session : session * _random.NextDouble(), new SimEvent(EventKind.Leave, node.Index));
                    }
                    else
                    {
                        Schedule(Draw(churn, churn.MedianDowntime) * _random.NextDouble(), new SimEvent(EventKind.Join, node.Index));
                    }
                }

                if (node.Behavior == NodeBehavior.Honest)
                {
                    Schedule(_options.BucketRefreshInterval * _random.NextDouble(), new SimEvent(EventKind.Refresh, node.Index));
                }
            }
        }

        private TimeSpan Draw(ChurnOptions churn, TimeSpan median) => Distributions.Draw(_random, churn.Distribution, median, churn.Sigma);

        private double MeasureMedianRtt()
        {
            var nodes = network.Nodes;
            var rtts = new double[1001];
            for (var i = 0; i < rtts.Length; i++)
            {
                rtts[i] = network.RoundTrip(nodes[_random.Next(nodes.Count)], nodes[_random.Next(nodes.Count)]).TotalMilliseconds;
            }

            Array.Sort(rtts);
            return rtts[rtts.Length / 2];
        }

        private void Check(LookupOutcome outcome)
        {
            if (_options.CheckInvariants)
            {
                LookupResultChecker.Check(network, outcome, _violations);
            }
        }

        private double Seconds() => (_now - MessageLevelNetwork.Epoch).TotalSeconds;

        private void Schedule(TimeSpan at, SimEvent e) => _queue.Enqueue(e, ((MessageLevelNetwork.Epoch + at).UtcTicks, _sequence++));

        private void ScheduleIn(TimeSpan delay, SimEvent e) => _queue.Enqueue(e, ((_now + delay).UtcTicks, _sequence++));
    }
}
