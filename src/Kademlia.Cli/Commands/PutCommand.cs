using System.CommandLine;
using System.Text;
using Kademlia.Cli.Control;

namespace Kademlia.Cli.Commands;

/// <summary><c>kad put</c>: stores a value (immutable, or mutable signed by the daemon's key) and prints its key.</summary>
internal static class PutCommand
{
    public static Command Create()
    {
        var value = new Argument<string?>("value") { Description = "The value, as UTF-8 text (at most 1000 bytes); '-' reads the bytes from standard input.", Arity = ArgumentArity.ZeroOrOne };
        var file = new Option<string?>("--file") { Description = "Store the bytes of this file (any content, at most 1000 bytes) instead of a text argument.", HelpName = "path" };
        var mutable = new Option<bool>("--mutable") { Description = "Publish a mutable record signed with the node's key (key = SHA-256(public key ‖ salt)); a later put with the same --salt replaces it." };
        var salt = new Option<string?>("--salt") { Description = "Names the mutable record among the node's records. Defaults to empty.", HelpName = "text" };
        var sequence = new Option<ulong?>("--seq") { Description = "Sequence number of the mutable record. Defaults to one more than the highest found, published with compare-and-swap on it." };
        var expected = new Option<ulong?>("--cas") { Description = "Compare-and-swap: store only where the current sequence is this one (0 = none stored).", HelpName = "sequence" };
        var client = new ClientOptions();
        var command = new Command("put", "Store a value in the network and print its key.") { value, file, mutable, salt, sequence, expected };
        client.AddTo(command);
        command.Check(r => !r.GetValue(mutable) && (r.GetValue(salt) is not null || r.GetValue(sequence) is not null || r.GetValue(expected) is not null)
            ? "--salt, --seq and --cas need --mutable."
            : null);
        command.Check(r => (r.GetValue(value) is null) == (r.GetValue(file) is null)
            ? "give the value as an argument, '-' for standard input, or --file, and only one of them."
            : null);
        command.SetAction((result, cancellationToken) =>
        {
            var settings = client.Read(result);
            var request = new ControlRequest
            {
                Op = "put",
                Value = ValueSource.Read(result.GetValue(value), result.GetValue(file), settings.Network.MaxValueSize),
                Mutable = result.GetValue(mutable),
                Salt = result.GetValue(salt) is { } s ? Encoding.UTF8.GetBytes(s) : null,
                Sequence = result.GetValue(sequence),
                ExpectedSequence = result.GetValue(expected),
            };
            return ClientCommand.RunAsync(settings, request, Print, r => ClientCommand.StoredNowhere(r, "record"), cancellationToken);
        });
        return command;
    }

    private static void Print(OperationResult result)
    {
        Console.WriteLine(result.Key);
        var sequence = result.Sequence is { } s ? $", sequence {s}" : "";
        Console.Error.WriteLine($"stored on {result.Stored} of {result.Attempted} nodes{sequence}{ClientCommand.Rejections(result)}");
    }
}
