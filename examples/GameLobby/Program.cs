// A game lobby with no server: players announce open tic-tac-toe tables under a DHT topic, others
// list and join them, and each table's state is a mutable record whose sequence number advances
// with every move (compare-and-swap on the previous one).
//
//   dotnet run --project examples/GameLobby                          a scripted session on loopback
//   dotnet run --project examples/GameLobby -- --bootstrap <contact>   list the tables of a real network
using System.Net;
using GameLobby;
using Kademlia;
using Kademlia.Identity;

// The whole session is bounded: a stuck network ends the example instead of hanging it.
using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
var token = guard.Token;

if (args is ["--bootstrap", var seed, ..])
{
    var network = args.Contains("test") ? NetworkParameters.Test : NetworkParameters.Default;
    await using var node = await DhtNode.StartAsync(new DhtNodeOptions { Network = network }, token);
    await node.BootstrapAsync([seed], token);
    await foreach (var table in Lobby.ListAsync(node, token))
    {
        Console.WriteLine($"{table.Description}  (table {table.TableKey.ToShortString()}, host {table.Host})");
    }

    return;
}

Console.WriteLine("Starting 8 nodes on 127.0.0.1 (test network: cheap proof-of-work)...");
var nodes = new List<DhtNode>();
try
{
    for (var i = 0; i < 8; i++)
    {
        nodes.Add(await DhtNode.StartAsync(new DhtNodeOptions { Network = NetworkParameters.Test, Bind = new IPEndPoint(IPAddress.Loopback, 0) }, token));
    }

    foreach (var node in nodes.Skip(1))
    {
        await node.BootstrapAsync([nodes[0].ContactString], token);
    }

    var (alice, bob, carol, dave) = (nodes[1], nodes[2], nodes[3], nodes[4]);
    Console.WriteLine($"Alice {alice.Id.ToShortString()}, Bob {bob.Id.ToShortString()}, Carol {carol.Id.ToShortString()}, Dave {dave.Id.ToShortString()}; four more nodes relay and store.\n");

    // 1. Alice and Bob each open a table: the state record first, then the announcement.
    using var aliceTable = NodeIdentity.Generate(NetworkParameters.Test, cancellationToken: token);
    using var bobTable = NodeIdentity.Generate(NetworkParameters.Test, cancellationToken: token);
    foreach (var (host, name, table) in new[] { (alice, "Alice", aliceTable), (bob, "Bob", bobTable) })
    {
        await Lobby.WriteAsync(host, table, TableState.Open(name), basedOn: 0, token);
        await Lobby.AnnounceAsync(host, Lobby.KeyOf(table), $"{name}'s tic-tac-toe table", token);
        Console.WriteLine($"{name} opens table {Lobby.KeyOf(table).ToShortString()} (sequence 1) and announces it.");
    }

    // 2. Carol lists the open tables and takes the seat at Alice's.
    Console.WriteLine("\nCarol lists the tables:");
    await ShowTablesAsync(carol, token);

    // Carol and Dave both want the free seat and both read the table at the same sequence. Both
    // write on it; compare-and-swap stores exactly one of the two writes.
    var key = Lobby.KeyOf(aliceTable);
    var (state, sequence) = await Lobby.ReadAsync(carol, key, token);
    var (daveView, daveSequence) = await Lobby.ReadAsync(dave, key, token);
    var carolSeated = await Lobby.WriteAsync(carol, aliceTable, state.Join("Carol"), sequence, token);
    var daveSeated = await Lobby.WriteAsync(dave, aliceTable, daveView.Join("Dave"), daveSequence, token);
    Console.WriteLine($"\nCarol and Dave both read sequence {sequence} and both take the free seat:");
    Console.WriteLine($"  Carol writes sequence {sequence + 1}: {(carolSeated ? "stored" : "refused")}");
    Console.WriteLine($"  Dave writes sequence {daveSequence + 1}: {(daveSeated ? "stored" : "refused (compare-and-swap: the table moved on)")}");
    (daveView, daveSequence) = await Lobby.ReadAsync(dave, key, token);
    Console.WriteLine($"  Dave reads again: sequence {daveSequence}, {daveView}.");
    Console.WriteLine();

    // 3. The game: each player reads the latest state from the network and writes a move on it.
    var moves = new (DhtNode Player, int Cell)[] { (alice, 4), (carol, 0), (alice, 2), (carol, 1), (alice, 6) };
    foreach (var (player, cell) in moves)
    {
        (state, sequence) = await Lobby.ReadAsync(player, key, token);
        var next = state.Play(cell);
        var stored = await Lobby.WriteAsync(player, aliceTable, next, sequence, token);
        Console.WriteLine($"  seq {sequence + 1,2}: {state.ToMove,-5} plays {cell} -> {next}{(stored ? "" : "  (refused!)")}");
        if (!stored || next.Status != "playing")
        {
            break;
        }
    }

    // 4. Anyone can follow the table: Bob reads the final state from his own node.
    (state, sequence) = await Lobby.ReadAsync(bob, key, token);
    Console.WriteLine($"\nBob reads Alice's table: sequence {sequence}, {state}.");
    Console.WriteLine("\nDave lists the tables:");
    await ShowTablesAsync(dave, token);
}
finally
{
    foreach (var node in nodes)
    {
        await node.DisposeAsync();
    }
}

// The announcement is the index (who hosts what); the table's record is the truth (who sits, whose
// turn), so a listing reads each table's state instead of trusting a description that may be stale.
static async Task ShowTablesAsync(DhtNode node, CancellationToken token)
{
    await foreach (var listing in Lobby.ListAsync(node, token))
    {
        var (state, sequence) = await Lobby.ReadAsync(node, listing.TableKey, token);
        var seats = state.IsFull ? "full" : "a seat is free";
        Console.WriteLine($"  {listing.Description,-26} {seats,-15} {state} (table {listing.TableKey.ToShortString()}, sequence {sequence})");
    }
}
