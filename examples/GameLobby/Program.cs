// A game lobby with no server: hosts announce open tic-tac-toe tables under a DHT topic, players find
// them there and play with the host over an encrypted channel between their two nodes, punched through
// their NATs where possible and relayed by one of the host's rendezvous points where not.
//
//   dotnet run --project examples/GameLobby                                  a scripted game on loopback
//   dotnet run --project examples/GameLobby -- list --bootstrap <contact>      list the tables of a real network
//   dotnet run --project examples/GameLobby -- host|join --bootstrap <contact> play a scripted game on one (README.md)
using System.CommandLine;
using System.Net;
using GameLobby;
using Kademlia;
using Kademlia.Engine;
using Kademlia.Identity;

var root = new RootCommand("A game lobby with no server, over the DHT: with no command, a scripted game on loopback.");
LobbyCommands.AddTo(root);
root.SetAction((_, token) => LoopbackSessionAsync(token));
var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    // One line, not the help page: scripts read stderr's last line.
    await Console.Error.WriteLineAsync($"gamelobby: {parse.Errors[0].Message} (see --help)").ConfigureAwait(false);
    return 2;
}

return await parse.InvokeAsync().ConfigureAwait(false);

// The scripted session on 127.0.0.1: 8 public nodes and 3 players in this process.
static async Task<int> LoopbackSessionAsync(CancellationToken cancellation)
{
    // The whole session is bounded: a stuck network ends the example instead of hanging it.
    using var guard = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
    guard.CancelAfter(TimeSpan.FromMinutes(2));
    var token = guard.Token;

    Console.WriteLine("Starting 8 public nodes and 3 players on 127.0.0.1 (test network: cheap proof-of-work)...");
    var nodes = new List<DhtNode>();
    try
    {
        for (var i = 0; i < 11; i++)
        {
            // The players run as clients, as nodes behind a NAT do: they stay out of routing tables, keep
            // sessions with their closest contacts and name those as rendezvous points in their provider records.
            nodes.Add(await DhtNode.StartAsync(new DhtNodeOptions
            {
                Network = NetworkParameters.Test,
                Bind = new IPEndPoint(IPAddress.Loopback, 0),
                Mode = i < 8 ? NodeMode.Server : NodeMode.Client,
            }, token));
        }

        foreach (var node in nodes.Skip(1))
        {
            await node.BootstrapAsync([nodes[0].ContactString], token);
        }

        var (alice, carol, dave) = (nodes[8], nodes[9], nodes[10]);
        Console.WriteLine($"Alice {alice.Id.ToShortString()}, Carol {carol.Id.ToShortString()}, Dave {dave.Id.ToShortString()}.\n");

        // 1. Alice opens a table and announces it: her provider record names her rendezvous points.
        await using var table = TablePlayer.Host(alice, "Alice");
        await Lobby.AnnounceAsync(alice, "Alice's tic-tac-toe table", token);
        Console.WriteLine("Alice opens a table and announces it under the lobby topic.");

        // 2. Carol lists the tables, connects to Alice's host and takes the free seat.
        Console.WriteLine("\nCarol lists the tables:");
        TableListing? found = null;
        await foreach (var listing in Lobby.ListAsync(carol, token))
        {
            Console.WriteLine($"  {listing.Description} (host {listing.Provider.Provider.Id.ToShortString()}, {listing.Reach})");
            found ??= listing;
        }

        await using var guest = await TablePlayer.JoinAsync(carol, "Carol", found ?? throw new InvalidOperationException("no table found"), token)
            ?? throw new InvalidOperationException("the table was full");
        Console.WriteLine($"Carol connects to the host ({guest.Opponent!.Path}: {Describe(guest.Opponent.Path)}) and is seated: {guest.State}");

        // 3. Dave comes too late: the host answers that the table is full.
        await using var late = await TablePlayer.JoinAsync(dave, "Dave", found, token);
        Console.WriteLine($"Dave asks for a seat too: {(late is null ? "the table is full" : "seated?!")}\n");

        // 4. The game: each move is a request the other player checks and applies.
        await table.Seated;
        await ScriptedGame.PlayAsync(table, guest, [4, 0, 2, 1, 6], Console.WriteLine, token);

        // 5. Both players hold the same table.
        Console.WriteLine($"\nAlice's table: {table.State}");
        Console.WriteLine($"Carol's table: {guest.State}");
        Console.WriteLine(table.State.Equals(guest.State) ? "Both players see the same final table." : "The players disagree!");
    }
    finally
    {
        foreach (var node in nodes)
        {
            await node.DisposeAsync();
        }
    }

    return 0;
}

static string Describe(PeerPath path) => path switch
{
    PeerPath.Direct => "straight between the two nodes, punched through their NATs if any",
    PeerPath.Relayed => "through one of the host's rendezvous points, encrypted end to end",
    _ => "no path",
};
