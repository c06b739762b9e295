using System.CommandLine;
using System.Globalization;
using Kademlia.Cli.Control;
using Spectre.Console;

namespace Kademlia.Cli.Commands;

/// <summary><c>kad status</c>: the running daemon's routing table by bucket, records and traffic.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var client = new ClientOptions(oneShot: false);
        var command = new Command("status", "Show the running daemon: identity, routing table by bucket, records and traffic counters.");
        client.AddTo(command);
        command.SetAction((result, cancellationToken) =>
            ClientCommand.RunAsync(client.Read(result), new ControlRequest { Op = "status" }, Print, _ => "no status.", cancellationToken));
        return command;
    }

    private static void Print(OperationResult result)
    {
        var s = result.Status!;
        var who = new Grid().AddColumns(2);
        who.AddRow("node id", s.Id);
        who.AddRow("contact", Markup.Escape(s.Contact));
        who.AddRow("network", Markup.Escape(s.Network));
        who.AddRow("external address", Markup.Escape(s.ExternalEndpoint ?? "not agreed yet"));
        who.AddRow("reachability", $"{s.Reachability} ({s.Mode})");
        who.AddRow("uptime", TimeSpan.FromSeconds(Math.Round(s.UptimeSeconds)).ToString("c", CultureInfo.InvariantCulture));
        AnsiConsole.Write(who);

        var buckets = new Table().Title($"routing table: {s.TableSize} contacts").AddColumns("bucket (bits shared)", "contacts", "");
        foreach (var bucket in s.Buckets)
        {
            buckets.AddRow(N(bucket.Index), N(bucket.Contacts), new string('█', Math.Min(bucket.Contacts, 20)));
        }

        AnsiConsole.Write(buckets);

        if (s.Contacts.Count > 0)
        {
            var peers = new Table().Title($"peers (closest buckets first{(s.Contacts.Count > MaxPeersShown ? $", {MaxPeersShown} of {s.Contacts.Count}; --json lists all" : "")})")
                .AddColumns("bucket", "node", "endpoint", "rtt", "failures", "reputation", "last seen");
            foreach (var peer in s.Contacts.Take(MaxPeersShown))
            {
                peers.AddRow(
                    N(peer.Bucket),
                    peer.Id[..16],
                    Markup.Escape(peer.Endpoint),
                    peer.RttMs is { } rtt ? $"{rtt.ToString("0.0", CultureInfo.InvariantCulture)} ms" : "-",
                    N(peer.Failures),
                    N(peer.Reputation),
                    $"{N((long)peer.LastSeenSecondsAgo)} s ago");
            }

            AnsiConsole.Write(peers);
        }

        if (s.Published.Count > 0)
        {
            var own = new Table().Title("published by this node").AddColumns("kind", "key or topic", "republished in");
            foreach (var record in s.Published)
            {
                own.AddRow(record.Kind, record.Key[..16], $"{N((long)record.NextRepublishInSeconds)} s");
            }

            AnsiConsole.Write(own);
        }

        var records = new Table().Title("records").AddColumns("values", "providers", "topics", "bytes");
        records.AddRow(N(s.Values), N(s.Providers), N(s.Topics), N(s.RecordBytes));
        AnsiConsole.Write(records);

        var traffic = new Table().Title("traffic").AddColumns("counter", "value");
        traffic.AddRow("packets in / out", $"{N(s.PacketsIn)} / {N(s.PacketsOut)}");
        traffic.AddRow("bytes in / out", $"{N(s.BytesIn)} / {N(s.BytesOut)}");
        traffic.AddRow("requests served / sent", $"{N(s.RequestsServed)} / {N(s.RequestsSent)}");
        traffic.AddRow("request timeouts", N(s.RequestTimeouts));
        traffic.AddRow("queries started / active", $"{N(s.QueriesStarted)} / {N(s.QueriesActive)}");
        traffic.AddRow("sessions", N(s.Sessions));
        traffic.AddRow("app messages sent / delivered", $"{N(s.AppMessagesSent)} / {N(s.AppMessagesDelivered)}");
        traffic.AddRow("hole punches started / succeeded", $"{N(s.PunchesStarted)} / {N(s.PunchesSucceeded)}");
        traffic.AddRow("rendezvous clients", N(s.RendezvousClients));
        traffic.AddRow("relay circuits open / opened", $"{N(s.RelayCircuits)} / {N(s.RelayCircuitsOpened)}");
        traffic.AddRow("relayed frames / bytes", $"{N(s.RelayedFrames)} / {N(s.RelayedBytes)}");
        traffic.AddRow("kept paths / their punches / upgrades", $"{N(s.KeptPaths)} / {N(s.KeptPathPunches)} / {N(s.KeptPathUpgrades)}");
        foreach (var (reason, count) in s.Drops.OrderByDescending(d => d.Value))
        {
            traffic.AddRow($"dropped: {Markup.Escape(reason)}", N(count));
        }

        AnsiConsole.Write(traffic);
        if (s.TableSize == 0)
        {
            AnsiConsole.WriteLine($"hint: the routing table is empty: this node knows no other node yet. Start another with 'kad node --bootstrap {s.Contact}', or restart this one with --bootstrap <contact> of a running node.");
        }
    }

    /// <summary>Peers listed in the table view; the JSON output lists every one.</summary>
    private const int MaxPeersShown = 40;

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
