using System.CommandLine;
using Kademlia.Cli.Control;

namespace Kademlia.Cli.Commands;

/// <summary><c>kad ping</c>: one authenticated PING.</summary>
internal static class PingCommand
{
    public static Command Create()
    {
        var peer = new Argument<string>("peer") { Description = "A contact string (key.nonce@host:port) or host:port." };
        peer.Check(SeedSyntax.Problem);
        var client = new ClientOptions();
        var command = new Command("ping", "Ping a node over an authenticated session and show the round-trip time.") { peer };
        client.AddTo(command);
        command.SetAction((result, cancellationToken) =>
        {
            var request = new ControlRequest { Op = "ping", Peer = result.GetValue(peer) };
            return ClientCommand.RunAsync(client.Read(result), request, Print, _ => $"{request.Peer} did not answer.", cancellationToken);
        });
        return command;
    }

    private static void Print(OperationResult result)
    {
        if (result.Peer is { } peer)
        {
            Console.WriteLine($"pong from {peer.Id[..16]} in {result.RttMs:0.0} ms; it sees us as {result.ObservedEndpoint}");
        }
    }
}
