using System.CommandLine;
using System.Globalization;
using Kademlia.Cli.Control;
using Spectre.Console;

namespace Kademlia.Cli.Commands;

/// <summary><c>kad find</c>: the k closest nodes to an ID, with the lookup path.</summary>
internal static class FindCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("id") { Description = "The target ID (64 hex digits), e.g. another node's ID from its 'id:' line or 'kad status'." };
        target.Check(t => Identity.NodeId.TryParse(t, out _) ? null : $"the ID must be 64 hex digits, got '{t}'.");
        var client = new ClientOptions();
        var command = new Command("find", "Look up the closest nodes to an ID (iterative FIND_NODE) and show the path hop by hop.") { target };
        client.AddTo(command);
        command.SetAction((result, cancellationToken) =>
        {
            var request = new ControlRequest { Op = "find", Target = result.GetValue(target)!.ToLowerInvariant() };
            return ClientCommand.RunAsync(client.Read(result), request, Print, r => $"no node answered the lookup of {r.Key}.", cancellationToken);
        });
        return command;
    }

    private static void Print(OperationResult result)
    {
        var closest = new Table().Title($"closest to {result.Key![..16]}…").AddColumns("#", "node", "bits shared", "contact");
        var rank = 0;
        foreach (var node in result.Closest ?? [])
        {
            closest.AddRow((++rank).ToString(CultureInfo.InvariantCulture), node.Id[..16], node.SharedBits?.ToString(CultureInfo.InvariantCulture) ?? "", Markup.Escape(node.Contact));
        }

        AnsiConsole.Write(closest);
        if (result.Path is { Count: > 0 } path)
        {
            var hops = new Table().Title("lookup path").AddColumns("hop", "node", "bits shared", "RTT");
            foreach (var hop in path)
            {
                hops.AddRow(hop.Depth.ToString(CultureInfo.InvariantCulture), hop.Id[..16], hop.SharedBits.ToString(CultureInfo.InvariantCulture), hop.RttMs is { } rtt ? $"{rtt:0.0} ms" : "no answer");
            }

            AnsiConsole.Write(hops);
        }

        AnsiConsole.MarkupLine($"[grey]{result.Messages} requests, {result.DurationMs:0} ms[/]");
    }
}
