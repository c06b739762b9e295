using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kademlia;
using Kademlia.Engine;
using Kademlia.Identity;

namespace GameLobby;

/// <summary>
/// <c>list</c>, <c>host</c> and <c>join</c>: the lobby on a real network, one player per process (or machine).
/// The host and its guest play a scripted game (<c>--moves</c>, the same on both sides); with <c>--json</c>
/// each command prints one JSON object on stdout, and its progress goes to stderr either way.
/// </summary>
internal static class LobbyCommands
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static readonly Option<string> Network = new("--network")
    {
        Description = "Network preset: 'default' or 'test' (cheap proof-of-work).",
        DefaultValueFactory = _ => "default",
    };

    private static readonly Option<string> Bind = new("--bind")
    {
        Description = "Local address:port to bind (port 0: any).",
        DefaultValueFactory = _ => "[::]:0",
        HelpName = "address:port",
    };

    private static readonly Option<string?> Advertise = new("--advertise")
    {
        Description = "The address:port others reach this node at, when not the bound one (a port forwarded on a NAT).",
        HelpName = "address:port",
    };

    private static readonly Option<string> Mode = new("--mode")
    {
        Description = "'client' behind a NAT (the provider record names rendezvous points), 'server' when reachable, 'auto' to let reachability probes decide (takes a minute or two).",
        DefaultValueFactory = _ => "auto",
    };

    private static readonly Option<string[]> Bootstrap = new("--bootstrap")
    {
        Description = "A node of the network to join through (contact string or host:port); repeatable.",
        Required = true,
        HelpName = "contact",
    };

    private static readonly Option<string?> LobbyName = new("--lobby")
    {
        Description = "A named lobby (its own topic); the main lobby when absent.",
        HelpName = "name",
    };

    private static readonly Option<int> Timeout = new("--timeout")
    {
        Description = "Seconds the whole command may take.",
        DefaultValueFactory = _ => 120,
    };

    private static readonly Option<bool> Json = new("--json") { Description = "Print the result as one JSON object." };

    private static readonly Option<string> PlayerName = new("--name")
    {
        Description = "The player's name (letters and digits).",
        HelpName = "name",
    };

    private static readonly Option<string> Moves = new("--moves")
    {
        Description = "The whole game's cells (0-8) in order, the same on both sides: the host plays the even places, the guest the odd ones.",
        DefaultValueFactory = _ => "4,0,2,1,6",
        HelpName = "cells",
    };

    public static void AddTo(RootCommand root)
    {
        Network.AcceptOnlyFromAmong("default", "test");
        Mode.AcceptOnlyFromAmong("auto", "server", "client");
        Bind.Validators.Add(r => { if (!IPEndPoint.TryParse(r.GetValueOrDefault<string>() ?? "", out _)) r.AddError($"--bind '{r.GetValueOrDefault<string>()}' is not address:port."); });
        Advertise.Validators.Add(r => { if (r.GetValueOrDefault<string?>() is { } a && !(IPEndPoint.TryParse(a, out var e) && e.Port != 0)) r.AddError($"--advertise '{a}' is not address:port."); });
        Timeout.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 3600) r.AddError("--timeout must be 1 to 3600 seconds."); });
        PlayerName.Validators.Add(r => { if (r.GetValueOrDefault<string>() is { } n && (n.Length is 0 or > 16 || !n.All(char.IsAsciiLetterOrDigit))) r.AddError($"--name '{n}' must be 1 to 16 letters or digits."); });
        Moves.Validators.Add(r => { if (ParseMoves(r.GetValueOrDefault<string>() ?? "") is null) r.AddError("--moves must be cells 0-8 separated by commas, each once."); });

        var list = new Command("list", "List the open tables of a lobby.");
        var host = new Command("host", "Open a table, announce it and play the scripted game with the first player who joins.");
        var join = new Command("join", "Find a table in the lobby, connect to its host and play the scripted game.");
        foreach (var command in new[] { list, host, join })
        {
            foreach (var option in new Option[] { Network, Bind, Advertise, Mode, Bootstrap, LobbyName, Timeout, Json })
            {
                command.Options.Add(option);
            }

            root.Subcommands.Add(command);
        }

        foreach (var command in new[] { host, join })
        {
            command.Options.Add(PlayerName);
            command.Options.Add(Moves);
        }

        list.SetAction((result, token) => RunAsync(result, token, ListAsync));
        host.SetAction((result, token) => RunAsync(result, token, HostAsync));
        join.SetAction((result, token) => RunAsync(result, token, JoinAsync));
    }

    /// <summary>Runs a command under its timeout: its JSON on stdout, or one line on stderr and exit 1.</summary>
    private static async Task<int> RunAsync(ParseResult result, CancellationToken token, Func<ParseResult, DhtNode, Action<string>, CancellationToken, Task<JsonObject>> command)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(token);
        limit.CancelAfter(TimeSpan.FromSeconds(result.GetValue(Timeout)));
        void Report(string line) => Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} gamelobby: {line}");
        var options = new LobbyNodeOptions(
            result.GetValue(Network) == "test" ? NetworkParameters.Test : NetworkParameters.Default,
            IPEndPoint.Parse(result.GetValue(Bind)!),
            result.GetValue(Advertise) is { } advertise ? IPEndPoint.Parse(advertise) : null,
            result.GetValue(Mode) switch { "client" => NodeMode.Client, "server" => NodeMode.Server, _ => NodeMode.Auto },
            result.GetValue(Bootstrap)!);
        try
        {
            await using var node = await LobbyNode.StartAsync(options, Report, limit.Token).ConfigureAwait(false);
            var json = await command(result, node, Report, limit.Token).ConfigureAwait(false);
            var failure = json["error"]?.GetValue<string>();
            if (result.GetValue(Json))
            {
                Console.WriteLine(json.ToJsonString(Indented));
            }
            else
            {
                Report(failure ?? "done");
            }

            return failure is null ? 0 : 1;
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException or InvalidOperationException or ArgumentException or FormatException or System.Net.Sockets.SocketException)
        {
            var message = e is OperationCanceledException && !token.IsCancellationRequested ? $"gave up after {result.GetValue(Timeout)} s" : e.Message;
            await Console.Error.WriteLineAsync($"gamelobby: {message}").ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task<JsonObject> ListAsync(ParseResult result, DhtNode node, Action<string> report, CancellationToken token)
    {
        var tables = new JsonArray();
        await foreach (var table in Lobby.ListAsync(node, token, Lobby.TopicOf(result.GetValue(LobbyName))).ConfigureAwait(false))
        {
            report($"{table.Description} (host {table.Provider.Provider.Id.ToShortString()}, {table.Reach})");
            tables.Add(new JsonObject
            {
                ["host"] = table.Provider.Provider.Id.ToString(),
                ["description"] = table.Description,
                ["endpoint"] = table.Provider.Provider.Endpoint.ToString(),
                ["rendezvous"] = new JsonArray([.. table.Provider.Rendezvous.Select(r => (JsonNode)r.Endpoint.ToString())]),
            });
        }

        return new JsonObject { ["lobby"] = result.GetValue(LobbyName) ?? "", ["tables"] = tables };
    }

    private static async Task<JsonObject> HostAsync(ParseResult result, DhtNode node, Action<string> report, CancellationToken token)
    {
        var name = result.GetValue(PlayerName) ?? "Host";
        var lobby = result.GetValue(LobbyName);
        var rendezvous = await LobbyNode.WaitForRendezvousAsync(node, token).ConfigureAwait(false);
        await using var table = TablePlayer.Host(node, name);
        var announced = await Lobby.AnnounceAsync(node, $"{name}'s tic-tac-toe table", token, Lobby.TopicOf(lobby)).ConfigureAwait(false);
        if (!announced.Succeeded)
        {
            return new JsonObject { ["role"] = "host", ["error"] = "the announcement was stored nowhere" };
        }

        report($"announced {name}'s table in lobby '{lobby}' with {rendezvous} rendezvous points; waiting for a player");
        await table.Seated.WaitAsync(token).ConfigureAwait(false);
        report($"{table.State.Players[1]} took the seat ({table.Opponent!.Path})");
        await table.PlayShareAsync(ParseMoves(result.GetValue(Moves)!)!, token).ConfigureAwait(false);
        report($"game over: {table.State}");
        // The guest's last request may need its answer again (a lost datagram): stay a little.
        await Task.Delay(TimeSpan.FromSeconds(3), token).ConfigureAwait(false);
        var json = await SummaryAsync("host", node, table, token).ConfigureAwait(false);
        json["firstMessageAtUnixMs"] = table.FirstMessageAt is { } at ? UnixMs(at) : null;
        json["announcedOn"] = announced.Stored;
        return json;
    }

    private static async Task<JsonObject> JoinAsync(ParseResult result, DhtNode node, Action<string> report, CancellationToken token)
    {
        var name = result.GetValue(PlayerName) ?? "Guest";
        var topic = Lobby.TopicOf(result.GetValue(LobbyName));
        TableListing? found = null;
        while (found is null)
        {
            await foreach (var listing in Lobby.ListAsync(node, token, topic).ConfigureAwait(false))
            {
                found = listing;
                break;
            }

            if (found is null)
            {
                await Task.Delay(500, token).ConfigureAwait(false); // the host may not have announced yet
            }
        }

        report($"found {found.Description} (host {found.Provider.Provider.Id.ToShortString()}, {found.Reach}); connecting");
        await using var guest = await TablePlayer.JoinAsync(node, name, found, token).ConfigureAwait(false);
        if (guest is null)
        {
            return new JsonObject { ["role"] = "join", ["error"] = "the table is full" };
        }

        var path = guest.Opponent!.Path;
        report($"seated over a {path} channel: ConnectAsync took {guest.TimeToConnect!.Value.TotalMilliseconds:F0} ms, the first answer came {guest.TimeToFirstAnswer!.Value.TotalMilliseconds:F0} ms after it started");
        await guest.PlayShareAsync(ParseMoves(result.GetValue(Moves)!)!, token).ConfigureAwait(false);
        report($"game over: {guest.State}");
        var json = await SummaryAsync("join", node, guest, token).ConfigureAwait(false);
        json["path"] = path.ToString();
        json["host"] = found.Provider.Provider.Id.ToString();
        json["hostRendezvous"] = found.Provider.Rendezvous.Length;
        json["connectMs"] = Math.Round(guest.TimeToConnect.Value.TotalMilliseconds, 1);
        json["firstAnswerMs"] = Math.Round(guest.TimeToFirstAnswer.Value.TotalMilliseconds, 1);
        json["connectStartedAtUnixMs"] = UnixMs(guest.ConnectStartedAt!.Value);
        return json;
    }

    /// <summary>What both sides print: the game as this player saw it, the path at the end, and the node's hole punches.</summary>
    private static async Task<JsonObject> SummaryAsync(string role, DhtNode node, TablePlayer player, CancellationToken token)
    {
        var finalPath = player.Opponent is { } opponent ? await opponent.GetPathAsync(token).ConfigureAwait(false) : PeerPath.None;
        var engine = (await node.GetStatisticsAsync(token).ConfigureAwait(false)).Engine;
        return new JsonObject
        {
            ["role"] = role,
            ["id"] = node.Id.ToString(),
            ["name"] = player.Name,
            ["opponent"] = player.Opponent?.Peer.Id.ToString(),
            ["finalPath"] = finalPath.ToString(),
            ["movesSent"] = player.MovesSent,
            ["movesReceived"] = player.MovesReceived,
            ["board"] = player.State.Board,
            ["status"] = player.State.Status,
            ["state"] = player.State.ToWire(),
            ["punchesStarted"] = engine.PunchesStarted,
            ["punchesSucceeded"] = engine.PunchesSucceeded,
        };
    }

    /// <summary>Milliseconds since 1970 with a fraction: two processes on one machine compare their clocks with it.</summary>
    private static double UnixMs(DateTimeOffset at) => Math.Round((at - DateTimeOffset.UnixEpoch).TotalMilliseconds, 3);

    /// <summary>The cells of <c>--moves</c>, or null when they are not distinct cells 0-8.</summary>
    private static int[]? ParseMoves(string text)
    {
        var cells = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var cell) || cell > 8 || cells.Contains(cell))
            {
                return null;
            }

            cells.Add(cell);
        }

        return cells.Count == 0 ? null : [.. cells];
    }
}
